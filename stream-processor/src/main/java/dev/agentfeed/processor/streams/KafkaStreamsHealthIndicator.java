package dev.agentfeed.processor.streams;

import org.apache.kafka.streams.KafkaStreams;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Reports the Kafka Streams state as health component {@code kafkaStreams}: up while running or
 * rebalancing, down before it starts and once it stops or fails. Spring Boot has no indicator for
 * Kafka Streams of its own.
 */
final class KafkaStreamsHealthIndicator implements HealthIndicator {

  private final StreamsBuilderFactoryBean factoryBean;

  KafkaStreamsHealthIndicator(StreamsBuilderFactoryBean factoryBean) {
    this.factoryBean = factoryBean;
  }

  @Override
  public Health health() {
    KafkaStreams streams = factoryBean.getKafkaStreams();
    if (streams == null) {
      return Health.down().withDetail("state", "NOT_STARTED").build();
    }
    KafkaStreams.State state = streams.state();
    Health.Builder health = state.isRunningOrRebalancing() ? Health.up() : Health.down();
    return health
        .withDetail("state", state.name())
        .withDetail("streamThreads", streams.metadataForLocalThreads().size())
        .build();
  }
}
