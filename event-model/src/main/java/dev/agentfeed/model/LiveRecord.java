package dev.agentfeed.model;

/**
 * The value of one {@code feed.live} record: a tier-1 {@link EventEnvelope} sent at once, or a
 * {@link LiveBatch} of one session's tier-2 events. A consumer tells them apart by the top-level
 * {@code type}: {@code "batch"} is a batch, any other value is an event type. {@link
 * EventCodec#readLive} does that.
 */
public sealed interface LiveRecord permits EventEnvelope, LiveBatch {

  String orgId();

  String sessionId();

  /** The session's identity across organisations. */
  default SessionRef session() {
    return new SessionRef(orgId(), sessionId());
  }
}
