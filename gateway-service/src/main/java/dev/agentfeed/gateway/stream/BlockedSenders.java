package dev.agentfeed.gateway.stream;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the sender threads for the clients that read. A blocking write to a client whose socket is
 * full holds its sender until the client reads or the send-time limit closes it (2 s by default);
 * with as many such clients as {@code sender-threads}, every other client would wait that long.
 * Every {@value #CHECK_MILLIS} ms (on the gateway's timer) this counts the senders blocked in a
 * write for longer than {@value #BLOCKED_AFTER_MILLIS} ms (a write to a socket with room takes
 * microseconds) and adds as many spare senders to the pool, up to {@code sender-spares}; they end
 * once the writes do. So a client that reads waits about {@value #BLOCKED_AFTER_MILLIS} + {@value
 * #CHECK_MILLIS} ms for each {@code sender-threads} clients that stopped reading whose writes are
 * queued before its own, instead of the send-time limit.
 *
 * <p>Gauges: {@code agentfeed.gateway.senders.blocked} (as last counted) and {@code
 * agentfeed.gateway.sender.threads} (running, spares and blocked ones included).
 */
final class BlockedSenders extends TimerTask {

  private static final Logger log = LoggerFactory.getLogger(BlockedSenders.class);

  static final long CHECK_MILLIS = 25;
  static final long BLOCKED_AFTER_MILLIS = 50;

  private final Connections connections;
  private final StreamThreads threads;
  private volatile int blocked;
  private int spares;
  private boolean wasCapped;

  BlockedSenders(Connections connections, StreamThreads threads, MeterRegistry meters) {
    super(threads.scheduler(), Duration.ofMillis(CHECK_MILLIS));
    this.connections = connections;
    this.threads = threads;
    Gauge.builder("agentfeed.gateway.senders.blocked", this, senders -> senders.blocked)
        .description(
            "Sender threads blocked for over "
                + BLOCKED_AFTER_MILLIS
                + " ms in a write to a client")
        .register(meters);
    Gauge.builder("agentfeed.gateway.sender.threads", threads, StreamThreads::senderPoolSize)
        .description("Sender threads running, spares for blocked ones included")
        .register(meters);
  }

  @Override
  void tick() {
    int now = connections.count(c -> c.senderBlockedLongerThan(BLOCKED_AFTER_MILLIS));
    blocked = now;
    int allowed = threads.spareFor(now);
    boolean capped = allowed < now;
    if (capped && !wasCapped) {
      log.warn(
          "{} sender threads blocked in writes to clients that take nothing, more than the {}"
              + " spares (sender-spares): other clients wait until they are closed as stalled",
          now,
          allowed);
    } else if (allowed != spares) {
      log.debug("{} sender threads blocked; {} spare senders", now, allowed);
    }
    spares = allowed;
    wasCapped = capped;
  }
}
