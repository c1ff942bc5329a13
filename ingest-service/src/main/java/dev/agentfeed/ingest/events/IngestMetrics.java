package dev.agentfeed.ingest.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Counts events by outcome in {@code agentfeed.ingest.events} with tag {@code outcome}: {@code
 * accepted} (stored, Kafka acknowledged), {@code rejected} (invalid or too large), {@code
 * duplicate} (stored before, not sent again), {@code rate-limited} (valid and new, but refused
 * because the session was over its rate limit; the client is told to retry).
 */
@Component
final class IngestMetrics {

  static final String NAME = "agentfeed.ingest.events";

  private final Counter accepted;
  private final Counter rejected;
  private final Counter duplicates;
  private final Counter rateLimited;

  IngestMetrics(MeterRegistry registry) {
    this.accepted = counter(registry, "accepted", "events stored in Kafka");
    this.rejected = counter(registry, "rejected", "events refused as invalid or too large");
    this.duplicates = counter(registry, "duplicate", "events stored before and not sent again");
    this.rateLimited =
        counter(registry, "rate-limited", "events refused for their session's rate limit");
  }

  private static Counter counter(MeterRegistry registry, String outcome, String description) {
    return Counter.builder(NAME)
        .tag("outcome", outcome)
        .description(description)
        .register(registry);
  }

  void accepted() {
    accepted.increment();
  }

  void rejected() {
    rejected.increment();
  }

  void duplicate() {
    duplicates.increment();
  }

  void rateLimited(int events) {
    rateLimited.increment(events);
  }
}
