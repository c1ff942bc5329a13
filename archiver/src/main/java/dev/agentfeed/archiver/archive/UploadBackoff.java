package dev.agentfeed.archiver.archive;

import java.time.Duration;
import java.time.Instant;

/**
 * When to try S3 again after a failed upload: the wait doubles per consecutive failure, up to a
 * maximum, and resets on the first success. One schedule for all partitions, since an S3 outage
 * hits them all.
 */
final class UploadBackoff {

  private final Duration initial;
  private final Duration max;
  private int failures;
  private Instant nextAttempt = Instant.MIN;

  UploadBackoff(Duration initial, Duration max) {
    this.initial = initial;
    this.max = max;
  }

  boolean ready(Instant now) {
    return !now.isBefore(nextAttempt);
  }

  void failed(Instant now) {
    failures++;
    nextAttempt = now.plus(delay());
  }

  void succeeded() {
    failures = 0;
    nextAttempt = Instant.MIN;
  }

  int failures() {
    return failures;
  }

  /** The wait after the current number of failures. */
  Duration delay() {
    if (failures == 0) {
      return Duration.ZERO;
    }
    Duration delay = initial;
    for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(max) < 0 ? delay : max;
  }
}
