package dev.agentfeed.ingest;

import dev.agentfeed.model.Limits;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The ingest service's own settings.
 *
 * @param maxEventSize largest single event (its JSON bytes as sent); a larger one is rejected on
 *     its own. At most the contract's {@link Limits#MAX_EVENT_BYTES}.
 * @param maxRequestSize largest request body; a larger one is answered with 413
 * @param kafkaTimeout how long an event may wait for Kafka's acknowledgement (and a send for
 *     metadata or buffer space) before the request is answered with 503
 * @param retryAfter what a 503 tells the client to wait before retrying
 * @param dedupeCacheSize how many recently stored event ids are remembered to answer retries with
 *     {@code duplicates} instead of sending again; 0 turns this off
 * @param redaction secret redaction in every event's {@code data}
 * @param rateLimit the per-session limit of events stored per second
 */
@Validated
@ConfigurationProperties("agentfeed.ingest")
public record IngestProperties(
    DataSize maxEventSize,
    DataSize maxRequestSize,
    Duration kafkaTimeout,
    Duration retryAfter,
    @Min(0) Integer dedupeCacheSize,
    @Valid Redaction redaction,
    @Valid RateLimit rateLimit) {

  /**
   * @param extraPatterns more kinds of secret, name (lower case, digits, dashes) to Java regex;
   *     their whole match is replaced by {@code [REDACTED:<name>]}
   */
  public record Redaction(Map<String, String> extraPatterns) {

    public Redaction {
      extraPatterns = extraPatterns == null ? Map.of() : Map.copyOf(extraPatterns);
    }
  }

  /**
   * A token bucket per (org, session): each stored event takes a token.
   *
   * @param eventsPerSecond tokens added per second, the sustained rate
   * @param burst the bucket's size: how many events a session may send at once after being quiet
   * @param maxSessions how many sessions' buckets are kept; beyond it the least recently used is
   *     dropped (and starts full again if the session comes back)
   * @param idleExpiry a bucket unused this long is dropped; it would be full again anyway once
   *     {@code burst / eventsPerSecond} has passed
   */
  public record RateLimit(
      @Positive Long eventsPerSecond,
      @Positive Long burst,
      @Positive Integer maxSessions,
      Duration idleExpiry) {

    public RateLimit {
      eventsPerSecond = eventsPerSecond == null ? 200 : eventsPerSecond;
      burst = burst == null ? 1000 : burst;
      maxSessions = maxSessions == null ? 100_000 : maxSessions;
      idleExpiry = idleExpiry == null ? Duration.ofMinutes(10) : idleExpiry;
    }
  }

  public IngestProperties {
    maxEventSize = maxEventSize == null ? DataSize.ofKilobytes(256) : maxEventSize;
    maxRequestSize = maxRequestSize == null ? DataSize.ofMegabytes(10) : maxRequestSize;
    kafkaTimeout = kafkaTimeout == null ? Duration.ofSeconds(10) : kafkaTimeout;
    retryAfter = retryAfter == null ? Duration.ofSeconds(5) : retryAfter;
    dedupeCacheSize = dedupeCacheSize == null ? 100_000 : dedupeCacheSize;
    redaction = redaction == null ? new Redaction(null) : redaction;
    rateLimit = rateLimit == null ? new RateLimit(null, null, null, null) : rateLimit;
    if (maxEventSize.toBytes() < 1 || maxEventSize.toBytes() > Limits.MAX_EVENT_BYTES) {
      throw new IllegalArgumentException(
          "agentfeed.ingest.max-event-size must be between 1B and "
              + Limits.MAX_EVENT_BYTES
              + "B (the contract's limit), not "
              + maxEventSize);
    }
    if (maxRequestSize.toBytes() < maxEventSize.toBytes()) {
      throw new IllegalArgumentException(
          "agentfeed.ingest.max-request-size ("
              + maxRequestSize
              + ") must be at least max-event-size ("
              + maxEventSize
              + ")");
    }
    // The producer's request timeout is half of it and must leave room for linger.ms.
    if (kafkaTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "agentfeed.ingest.kafka-timeout must be at least 1s, not " + kafkaTimeout);
    }
    if (retryAfter.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "agentfeed.ingest.retry-after must be at least 1s (Retry-After counts whole seconds), not "
              + retryAfter);
    }
  }
}
