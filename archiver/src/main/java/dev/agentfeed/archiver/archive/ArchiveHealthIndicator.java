package dev.agentfeed.archiver.archive;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code archiver} health component: DOWN when the poll loop has stopped; DEGRADED while S3
 * calls fail (an outage, or one session's objects refused) — the archiver keeps everything, commits
 * nothing it has not written and catches up, so restarting it would not help and the HTTP status
 * stays 200; UP otherwise. The details say what is buffered and what is failing.
 */
final class ArchiveHealthIndicator implements HealthIndicator {

  /** Working, but not everything reaches S3 now. */
  static final Status DEGRADED = new Status("DEGRADED", "S3 calls are failing; retrying");

  private final ArchiveStats stats;

  ArchiveHealthIndicator(ArchiveStats stats) {
    this.stats = stats;
  }

  @Override
  public Health health() {
    Health.Builder health;
    if (!stats.isRunning()) {
      health = Health.down();
    } else if (stats.consecutiveUploadFailures() > 0 || stats.retryingSessions() > 0) {
      health = Health.status(DEGRADED);
    } else {
      health = Health.up();
    }
    if (stats.failure() != null) {
      health.withException(stats.failure());
    }
    health
        .withDetail("assignedPartitions", stats.assignedPartitions())
        .withDetail("bufferedBytes", stats.bufferedBytes())
        .withDetail("spooledBytes", stats.spooledBytes())
        .withDetail("bufferedSessions", stats.bufferedSessions())
        .withDetail("sessionsAwaitingCompaction", stats.finishedSessions())
        .withDetail("sessionsRetrying", stats.retryingSessions())
        .withDetail("paused", stats.isPaused())
        .withDetail("consecutiveUploadFailures", stats.consecutiveUploadFailures())
        .withDetail("replaysWritten", stats.replaysWritten())
        .withDetail("segmentsWritten", stats.segmentsWritten())
        .withDetail("lateSegmentsWritten", stats.lateSegmentsWritten())
        .withDetail("alreadyArchived", stats.alreadyArchived())
        .withDetail("spills", stats.spills())
        .withDetail("deadLetters", stats.deadLetters());
    if (stats.lastUploadError() != null && stats.consecutiveUploadFailures() > 0) {
      health.withDetail("lastUploadError", stats.lastUploadError());
    }
    return health.build();
  }
}
