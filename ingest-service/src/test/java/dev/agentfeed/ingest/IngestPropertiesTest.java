package dev.agentfeed.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class IngestPropertiesTest {

  @Test
  void shouldDefaultEverySetting() {
    assertThat(new IngestProperties(null, null, null, null, null, null, null))
        .isEqualTo(
            new IngestProperties(
                DataSize.ofKilobytes(256),
                DataSize.ofMegabytes(10),
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                100_000,
                new IngestProperties.Redaction(Map.of()),
                new IngestProperties.RateLimit(200L, 1000L, 100_000, Duration.ofMinutes(10))));
  }

  @Test
  void shouldRefuseAnEventLimitAboveTheContract() {
    assertThatThrownBy(
            () ->
                new IngestProperties(DataSize.ofKilobytes(257), null, null, null, null, null, null))
        .hasMessageContaining("the contract's limit");
  }

  @Test
  void shouldRefuseARequestLimitBelowTheEventLimit() {
    assertThatThrownBy(
            () ->
                new IngestProperties(
                    DataSize.ofKilobytes(64),
                    DataSize.ofKilobytes(32),
                    null,
                    null,
                    null,
                    null,
                    null))
        .hasMessageContaining("must be at least max-event-size");
  }

  @Test
  void shouldRefuseAKafkaTimeoutTooShortForTheProducer() {
    assertThatThrownBy(
            () -> new IngestProperties(null, null, Duration.ofMillis(500), null, null, null, null))
        .hasMessageContaining("kafka-timeout must be at least 1s");
  }
}
