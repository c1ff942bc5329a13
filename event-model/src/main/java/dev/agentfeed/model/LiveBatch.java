package dev.agentfeed.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Objects;

/**
 * The tier-2 events of one session that arrived within one batch window, in {@code seq} order, as
 * one {@code feed.live} record. The gateway sends it as one {@code batch} frame. JSON: {@code
 * {"type":"batch","orgId":…,"sessionId":…,"firstSeq":…,"lastSeq":…,"events":[…]}}.
 *
 * @param firstSeq the seq of the first event
 * @param lastSeq the seq of the last event; seqs in between may belong to tier-1 events of the
 *     session, which went out on their own before or after this batch
 */
@JsonPropertyOrder({"type", "orgId", "sessionId", "firstSeq", "lastSeq", "events"})
public record LiveBatch(
    String type,
    String orgId,
    String sessionId,
    long firstSeq,
    long lastSeq,
    List<EventEnvelope> events)
    implements LiveRecord {

  /** The {@code type} that marks a batch; never an event type's wire name. */
  public static final String TYPE = "batch";

  public LiveBatch {
    if (!TYPE.equals(type)) {
      throw new IllegalArgumentException("a batch has type \"batch\", not " + type);
    }
    Objects.requireNonNull(orgId, "orgId");
    Objects.requireNonNull(sessionId, "sessionId");
    events = List.copyOf(events);
    if (events.isEmpty()) {
      throw new IllegalArgumentException("a batch holds at least one event");
    }
    for (EventEnvelope event : events) {
      if (!event.orgId().equals(orgId) || !event.sessionId().equals(sessionId)) {
        throw new IllegalArgumentException(
            "event " + event.id() + " is not of session " + orgId + "/" + sessionId);
      }
    }
  }

  /** A batch of one session's events, already in seq order, each with its seq set. */
  public static LiveBatch of(List<EventEnvelope> events) {
    EventEnvelope first = events.get(0);
    EventEnvelope last = events.get(events.size() - 1);
    return new LiveBatch(
        TYPE,
        first.orgId(),
        first.sessionId(),
        Objects.requireNonNull(first.seq(), "seq"),
        Objects.requireNonNull(last.seq(), "seq"),
        events);
  }
}
