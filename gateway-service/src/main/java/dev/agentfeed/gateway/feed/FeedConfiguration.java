package dev.agentfeed.gateway.feed;

import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.gateway.sessions.SessionIndex;
import dev.agentfeed.gateway.sessions.StatsReader;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the reading side: the live reader, history replays, the stats reader and the index. */
@Configuration(proxyBeanMethods = false)
class FeedConfiguration {

  @Bean
  FeedConsumers feedConsumers(KafkaProperties kafka, GatewayProperties properties) {
    return new FeedConsumers(kafka, properties);
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
      Clock clock,
      MeterRegistry meters) {
    return new FeedReader(consumers, topics, codec, directory, properties, clock, meters);
  }

  @Bean
  HistoryReader historyReader(
      FeedConsumers consumers, Topics topics, EventCodec codec, GatewayProperties properties) {
    return new HistoryReader(consumers, topics, codec, properties);
  }

  @Bean
  SessionIndex sessionIndex(GatewayProperties properties, SessionDirectory directory) {
    return new SessionIndex(
        properties.sessionIndexSize(), properties.sessionIndexBytes().toBytes(), directory);
  }

  @Bean
  StatsReader statsReader(
      FeedConsumers consumers,
      Topics topics,
      SessionIndex index,
      EventCodec codec,
      GatewayProperties properties) {
    return new StatsReader(consumers, topics, index, codec.mapper(), properties);
  }

  /**
   * Not ready until the live reader follows feed.live and the session index holds what was in
   * sessions.stats at start.
   */
  @Bean
  HealthIndicator feedHealthIndicator(FeedReader reader, StatsReader stats, SessionIndex index) {
    return () -> {
      Health.Builder health =
          reader.caughtUp() && stats.caughtUp() ? Health.up() : Health.outOfService();
      return health
          .withDetail("topic", reader.topic())
          .withDetail("partitions", reader.partitionCount())
          .withDetail("statsTopic", stats.topic())
          .withDetail("sessionsIndexed", index.size())
          .build();
    };
  }
}
