package dev.agentfeed.gateway.feed;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.SessionRef;

/**
 * One event read from {@code feed.live}, with where it lives. {@code json} is the envelope in the
 * pipeline's canonical encoding, computed once per record however many subscribers get it.
 */
public record FeedRecord(int partition, long offset, EventEnvelope event, String json) {

  public SessionRef session() {
    return event.session();
  }

  /** What the record costs in memory, roughly: its JSON dominates. */
  long sizeInBytes() {
    return 64L + 2L * json.length();
  }
}
