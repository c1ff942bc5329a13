package dev.agentfeed.gateway.feed;

import dev.agentfeed.model.SessionRef;
import java.util.ArrayList;
import java.util.List;

/** A subscriber of one session, or of a whole organisation, that keeps what it is handed. */
final class RecordingSubscriber implements FeedSubscriber {

  private final String orgId;
  private final String sessionId;
  private final List<FeedRecord> received = new ArrayList<>();
  boolean active = true;

  RecordingSubscriber(SessionRef session) {
    this(session.orgId(), session.sessionId());
  }

  private RecordingSubscriber(String orgId, String sessionId) {
    this.orgId = orgId;
    this.sessionId = sessionId;
  }

  static RecordingSubscriber orgWide(String orgId) {
    return new RecordingSubscriber(orgId, null);
  }

  List<Long> offsets() {
    return received.stream().map(FeedRecord::offset).toList();
  }

  @Override
  public String orgId() {
    return orgId;
  }

  @Override
  public String sessionId() {
    return sessionId;
  }

  @Override
  public void onRecord(FeedRecord record) {
    received.add(record);
  }

  @Override
  public boolean active() {
    return active;
  }

  @Override
  public boolean awaitRoom() {
    return active;
  }
}
