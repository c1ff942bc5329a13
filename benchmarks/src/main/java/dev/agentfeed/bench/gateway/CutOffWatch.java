package dev.agentfeed.bench.gateway;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Watches the gateway's slow-client-closes counter from the moment the slow clients are subscribed
 * (and stop reading) until it reaches the expected count, to tell how long the gateway took to cut
 * them off: while it had not, whatever it spent on them (a sender thread blocked on a full socket,
 * say) may have held up the other clients, which the phase's latency then shows.
 */
final class CutOffWatch {

  // Each look scrapes the gateway's metrics: often enough to time a cut-off, rarely enough to
  // cost the gateway nothing that shows.
  private static final long POLL_MILLIS = 500;

  private final long started = System.nanoTime();
  private final Thread watcher;
  private volatile long tookNanos = -1;

  CutOffWatch(GatewayProcess gateway, double expected) {
    this.watcher = new Thread(() -> watch(gateway, expected), "bench-cut-off-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private void watch(GatewayProcess gateway, double expected) {
    try {
      while (gateway.counter(GatewayBenchmark.SLOW_CLIENT_CLOSES) < expected) {
        TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
      }
      tookNanos = System.nanoTime() - started;
    } catch (IOException e) {
      // The gateway is gone: the benchmark reports that itself.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** "the last N s after they stopped reading", or that they were not all cut off. */
  String describe() {
    long took = tookNanos;
    return took < 0
        ? "not all of them"
        : String.format(
            Locale.ROOT,
            "the last %.1f s (± %.1f s) after they had subscribed and stopped reading",
            took / 1e9,
            POLL_MILLIS / 1e3);
  }

  void stop() {
    watcher.interrupt();
  }
}
