package dev.agentfeed.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop pacing: the n-th action is due at {@code start + n / rate}, whatever happened to the
 * earlier ones, so a slow response never lowers the offered load (no coordinated omission).
 */
final class Pacer {

  private final long startNanos;
  private final double intervalNanos;

  Pacer(long startNanos, double ratePerSecond) {
    this.startNanos = startNanos;
    this.intervalNanos = 1_000_000_000d / ratePerSecond;
  }

  /** Waits until action {@code n} is due and returns the time it was due. */
  long awaitTurn(long n) {
    long due = startNanos + (long) (n * intervalNanos);
    long now;
    while ((now = System.nanoTime()) < due) {
      LockSupport.parkNanos(Math.min(due - now, 200_000));
    }
    return due;
  }
}
