package dev.agentfeed.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Objects;
import tools.jackson.databind.node.ObjectNode;

/**
 * One event as it travels through every topic. The producer sets everything up to {@code data}; the
 * pipeline adds {@code receivedAt} (ingest), {@code seq} (stream processor, per session, gap-free
 * from 1) and {@code tier}. {@code data} stays raw JSON so that fields the contract does not know
 * yet survive; {@link EventCodec#payload} gives its typed view.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventEnvelope(
    String id,
    EventType type,
    String orgId,
    String sessionId,
    String agentId,
    String source,
    Instant ts,
    ObjectNode data,
    Instant receivedAt,
    Long seq,
    Integer tier)
    implements LiveRecord {

  public EventEnvelope {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(orgId, "orgId");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(ts, "ts");
    Objects.requireNonNull(data, "data");
  }

  public EventEnvelope withReceivedAt(Instant value) {
    return new EventEnvelope(
        id, type, orgId, sessionId, agentId, source, ts, data, value, seq, tier);
  }

  public EventEnvelope withSeq(long value) {
    return new EventEnvelope(
        id, type, orgId, sessionId, agentId, source, ts, data, receivedAt, value, tier);
  }

  public EventEnvelope withTier(Tier value) {
    return new EventEnvelope(
        id, type, orgId, sessionId, agentId, source, ts, data, receivedAt, seq, value.number());
  }

  public EventEnvelope withData(ObjectNode value) {
    return new EventEnvelope(
        id, type, orgId, sessionId, agentId, source, ts, value, receivedAt, seq, tier);
  }

  /** The session's identity across organisations: two orgs may use the same session id. */
  public SessionRef session() {
    return new SessionRef(orgId, sessionId);
  }
}
