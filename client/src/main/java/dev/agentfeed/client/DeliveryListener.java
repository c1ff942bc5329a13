package dev.agentfeed.client;

import dev.agentfeed.model.EventEnvelope;

/**
 * Told of events the client gave up on. Both are final: the client does not retry them. Called on
 * the client's sender thread, so it must be quick and must not call {@link AgentfeedClient#flush}.
 */
public interface DeliveryListener {

  /**
   * Ingest refused this event on its own (it breaks the contract); the rest of its batch went on.
   */
  default void rejected(EventEnvelope event, String error) {}

  /**
   * The event could not be delivered: a refusal retrying cannot fix (401, 403, a 4xx other than 413
   * and 429), or retries for longer than the client's give-up time.
   */
  default void failed(EventEnvelope event, String reason) {}

  /** Ignores everything; the client's {@link AgentfeedClient#stats()} still counts it. */
  DeliveryListener NONE = new DeliveryListener() {};
}
