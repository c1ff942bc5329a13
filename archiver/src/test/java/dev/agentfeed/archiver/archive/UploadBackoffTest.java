package dev.agentfeed.archiver.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UploadBackoffTest {

  private static final Instant NOW = Instant.parse("2026-01-30T12:00:00Z");

  private final UploadBackoff backoff =
      new UploadBackoff(Duration.ofMillis(500), Duration.ofSeconds(3));

  @Test
  void shouldDoubleTheWaitPerFailureUpToTheMaximum() {
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      backoff.failed(NOW);
      delays.add(backoff.delay());
    }

    assertThat(delays)
        .isEqualTo(
            List.of(
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                Duration.ofSeconds(3),
                Duration.ofSeconds(3)));
  }

  @Test
  void shouldWaitUntilTheDelayHasPassed() {
    backoff.failed(NOW);

    assertThat(List.of(backoff.ready(NOW.plusMillis(499)), backoff.ready(NOW.plusMillis(500))))
        .isEqualTo(List.of(false, true));
  }

  @Test
  void shouldBeReadyAtOnceAfterASuccess() {
    backoff.failed(NOW);
    backoff.succeeded();

    assertThat(backoff.ready(NOW)).isTrue();
    assertThat(backoff.failures()).isZero();
  }
}
