package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.feed.FeedRecord;
import dev.agentfeed.gateway.feed.FeedSubscriber;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One subscription of a connection: to one (org, session), or to every session of the org. Fed per
 * partition first by a replay (if any) and then by the live reader, each in offset order. It keeps
 * the next offset of every partition it reads; every frame's cursor is that vector as it was right
 * after the frame, so resuming from it continues with exactly the next frame even when frames of
 * several partitions interleave. Records whose events the type filter drops all advance the vector
 * but send nothing. Once cancelled it forwards nothing more: cancel and forward share its lock, so
 * no frame follows an {@code unsubscribed} frame.
 */
final class Subscription implements FeedSubscriber {

  private final String id;
  // The id as it appears in every frame, escaped once rather than per frame.
  private final String quotedId;
  private final String orgId;
  private final String sessionId;
  private final TypeFilter filter;
  private final FrameSink sink;
  private final CursorCodec cursors;
  private final Frames frames;
  private final String scope;
  private final SortedMap<Integer, Long> next = new TreeMap<>();
  private boolean cancelled;

  Subscription(
      String id,
      String orgId,
      String sessionId,
      TypeFilter filter,
      FrameSink sink,
      CursorCodec cursors,
      Frames frames) {
    this.id = id;
    this.quotedId = frames.quote(id);
    this.orgId = orgId;
    this.sessionId = sessionId;
    this.filter = filter;
    this.sink = sink;
    this.cursors = cursors;
    this.frames = frames;
    this.scope =
        sessionId == null
            ? CursorCodec.orgScope(orgId)
            : CursorCodec.scopeOf(new dev.agentfeed.model.SessionRef(orgId, sessionId));
  }

  String id() {
    return id;
  }

  @Override
  public String orgId() {
    return orgId;
  }

  @Override
  public String sessionId() {
    return sessionId;
  }

  boolean orgWide() {
    return sessionId == null;
  }

  /** Where each partition starts, before anything is delivered (org-wide subscriptions). */
  synchronized void startAt(Map<Integer, Long> starts) {
    next.putAll(starts);
  }

  @Override
  public synchronized void onRecord(FeedRecord record) {
    if (cancelled) {
      return;
    }
    next.put(record.partition(), record.offset() + 1);
    List<FeedRecord.Item> events = filter.select(record.events());
    if (events.isEmpty()) {
      return;
    }
    // A session subscription's cursor depends only on the record (one partition), so all of the
    // session's subscribers share it; an org-wide one's depends on its whole vector.
    String cursor =
        sessionId != null
            ? record.cursor(scope, () -> cursors.encode(scope, next))
            : cursors.encode(scope, next);
    if (record.batch()) {
      sink.offer(Frames.BATCH, frames.batch(quotedId, cursor, events), id, cursor, events);
    } else {
      sink.offer(
          Frames.EVENT, frames.event(quotedId, cursor, events.get(0).json()), id, cursor, events);
    }
  }

  @Override
  public synchronized boolean active() {
    return !cancelled && sink.open();
  }

  @Override
  public boolean awaitRoom() {
    return sink.awaitRoom() && active();
  }

  synchronized void cancel() {
    cancelled = true;
  }
}
