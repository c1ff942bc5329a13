package dev.agentfeed.gateway.feed;

import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.Topics;
import java.time.Clock;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the reading side: the live reader, history replays and the session index. */
@Configuration(proxyBeanMethods = false)
class FeedConfiguration {

  @Bean
  FeedConsumers feedConsumers(KafkaProperties kafka) {
    return new FeedConsumers(kafka);
  }

  @Bean
  SessionDirectory sessionDirectory(GatewayProperties properties) {
    return new SessionDirectory(properties.sessionIndexSize());
  }

  @Bean
  FeedReader feedReader(
      FeedConsumers consumers,
      Topics topics,
      EventCodec codec,
      SessionDirectory directory,
      GatewayProperties properties,
      Clock clock) {
    return new FeedReader(consumers, topics, codec, directory, properties, clock);
  }

  @Bean
  HistoryReader historyReader(
      FeedConsumers consumers, Topics topics, EventCodec codec, GatewayProperties properties) {
    return new HistoryReader(consumers, topics, codec, properties);
  }

  /** Not ready until the reader has read what was in the topic at start (the session index). */
  @Bean
  HealthIndicator feedHealthIndicator(FeedReader reader, SessionDirectory directory) {
    return () -> {
      Health.Builder health = reader.caughtUp() ? Health.up() : Health.outOfService();
      return health
          .withDetail("topic", reader.topic())
          .withDetail("partitions", reader.partitionCount())
          .withDetail("sessionsIndexed", directory.size())
          .build();
    };
  }
}
