package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.feed.FeedRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's stream meters (Prometheus names in brackets): frames and bytes written to clients
 * ({@code agentfeed_gateway_frames_out_total}, {@code agentfeed_gateway_bytes_out_total}), resumes
 * from a cursor, resyncs, slow-client closes, expired tokens, and the end-to-end latency from an
 * event's {@code receivedAt} at ingest to the moment its frame is written to the socket ({@code
 * agentfeed_gateway_e2e_latency_seconds}, a histogram).
 */
final class StreamMetrics {

  private final Clock clock;
  private final Counter framesOut;
  private final Counter bytesOut;
  private final Counter resumes;
  private final Counter resyncs;
  private final Counter slowClientCloses;
  private final Counter expiredTokens;
  private final Timer latency;

  StreamMetrics(MeterRegistry meters, Clock clock) {
    this.clock = clock;
    this.framesOut =
        Counter.builder("agentfeed.gateway.frames.out")
            .description("Frames written to WebSocket and SSE clients")
            .register(meters);
    this.bytesOut =
        Counter.builder("agentfeed.gateway.bytes.out")
            .description("Characters of frames written to clients")
            .register(meters);
    this.resumes =
        Counter.builder("agentfeed.gateway.resumes")
            .description("Subscriptions that resumed from a cursor")
            .register(meters);
    this.resyncs =
        Counter.builder("agentfeed.gateway.resyncs")
            .description("Subscriptions told resync_required (slow client or history gone)")
            .register(meters);
    this.slowClientCloses =
        Counter.builder("agentfeed.gateway.slow.client.closes")
            .description("Connections closed because they fell behind or stalled")
            .register(meters);
    this.expiredTokens =
        Counter.builder("agentfeed.gateway.expired.tokens")
            .description("Connections ended because their token expired")
            .register(meters);
    this.latency =
        Timer.builder("agentfeed.gateway.e2e.latency")
            .description(
                "From an event's receivedAt at ingest to its frame being handed to the client's"
                    + " socket")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(meters);
  }

  /** The clock's time in milliseconds, to pass to {@link #delivered} for a batch of frames. */
  long now() {
    return clock.millis();
  }

  /** Frames written to a client, and their characters. */
  void written(int frames, long chars) {
    framesOut.increment(frames);
    bytesOut.increment(chars);
  }

  /** The events of a frame written at {@code nowMillis}; null for a frame without events. */
  void delivered(List<FeedRecord.Item> events, long nowMillis) {
    if (events == null) {
      return;
    }
    for (FeedRecord.Item event : events) {
      if (event.receivedAt() != null) {
        latency.record(
            Math.max(0, nowMillis - event.receivedAt().toEpochMilli()), TimeUnit.MILLISECONDS);
      }
    }
  }

  void resumed() {
    resumes.increment();
  }

  void resynced() {
    resyncs.increment();
  }

  void slowClientClosed() {
    slowClientCloses.increment();
  }

  void tokenExpired() {
    expiredTokens.increment();
  }
}
