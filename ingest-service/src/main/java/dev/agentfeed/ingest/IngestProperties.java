package dev.agentfeed.ingest;

import dev.agentfeed.model.Limits;
import jakarta.validation.constraints.Min;
import java.time.Duration;
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
 */
@Validated
@ConfigurationProperties("agentfeed.ingest")
public record IngestProperties(
    DataSize maxEventSize,
    DataSize maxRequestSize,
    Duration kafkaTimeout,
    Duration retryAfter,
    @Min(0) Integer dedupeCacheSize) {

  public IngestProperties {
    maxEventSize = maxEventSize == null ? DataSize.ofKilobytes(256) : maxEventSize;
    maxRequestSize = maxRequestSize == null ? DataSize.ofMegabytes(10) : maxRequestSize;
    kafkaTimeout = kafkaTimeout == null ? Duration.ofSeconds(10) : kafkaTimeout;
    retryAfter = retryAfter == null ? Duration.ofSeconds(5) : retryAfter;
    dedupeCacheSize = dedupeCacheSize == null ? 100_000 : dedupeCacheSize;
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
