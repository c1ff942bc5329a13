package dev.agentfeed.ingest.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.agentfeed.ingest.IngestProperties;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class ProducerConfigurationTest {

  private static IngestProperties withKafkaTimeout(Duration timeout) {
    return new IngestProperties(null, null, timeout, null, null, null, null);
  }

  @Test
  void shouldDeriveEveryTimeoutFromTheKafkaTimeout() {
    Map<String, Object> settings =
        ProducerConfiguration.settings(withKafkaTimeout(Duration.ofSeconds(10)), Map.of());

    assertThat(settings)
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5")
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "5")
        .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
        .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000")
        .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000")
        .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
  }

  @Test
  void shouldNeverRaiseLingerOrRequestsInFlightAboveTheBounds() {
    Map<String, Object> settings =
        ProducerConfiguration.settings(
            withKafkaTimeout(Duration.ofSeconds(10)),
            Map.of(
                ProducerConfig.LINGER_MS_CONFIG,
                "50",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                2));

    assertThat(settings)
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "5")
        .containsEntry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "2");
  }

  @Test
  void shouldBeAcceptedByTheKafkaProducerAtTheShortestKafkaTimeout() {
    Map<String, Object> config =
        new HashMap<>(
            ProducerConfiguration.settings(withKafkaTimeout(Duration.ofSeconds(1)), Map.of()));
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");

    // The producer checks delivery.timeout.ms >= linger.ms + request.timeout.ms when created.
    assertThatCode(() -> new KafkaProducer<String, byte[]>(config).close())
        .doesNotThrowAnyException();
  }
}
