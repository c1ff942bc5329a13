package dev.agentfeed.archiver.archive;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code archiver} health component: down when the poll loop has stopped, up otherwise, with
 * what is buffered and whether uploads are failing. An S3 outage leaves it up: the archiver keeps
 * everything and catches up, and restarting it would not help.
 */
final class ArchiveHealthIndicator implements HealthIndicator {

  private final ArchiveStats stats;

  ArchiveHealthIndicator(ArchiveStats stats) {
    this.stats = stats;
  }

  @Override
  public Health health() {
    Health.Builder health = stats.isRunning() ? Health.up() : Health.down();
    if (stats.failure() != null) {
      health.withException(stats.failure());
    }
    health
        .withDetail("bufferedBytes", stats.bufferedBytes())
        .withDetail("bufferedSessions", stats.bufferedSessions())
        .withDetail("sessionsAwaitingUpload", stats.finishedSessions())
        .withDetail("paused", stats.isPaused())
        .withDetail("consecutiveUploadFailures", stats.consecutiveUploadFailures())
        .withDetail("replaysWritten", stats.replaysWritten())
        .withDetail("segmentsWritten", stats.segmentsWritten())
        .withDetail("alreadyArchived", stats.alreadyArchived())
        .withDetail("deadLetters", stats.deadLetters());
    if (stats.lastUploadError() != null && stats.consecutiveUploadFailures() > 0) {
      health.withDetail("lastUploadError", stats.lastUploadError());
    }
    return health.build();
  }
}
