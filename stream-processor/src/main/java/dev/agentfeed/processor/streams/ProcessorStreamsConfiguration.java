package dev.agentfeed.processor.streams;

import dev.agentfeed.common.topics.TopicsProperties;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

/**
 * Runs the application's Kafka Streams instance: Spring Boot builds its configuration from {@code
 * spring.kafka.*} (bootstrap servers, {@code spring.kafka.streams.application-id}, {@code
 * spring.kafka.streams.state-dir}, security), and {@link ProcessorStreamsSettings} adds what the
 * pipeline's contract fixes (exactly-once, commit interval, dead letters).
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
class ProcessorStreamsConfiguration {

  @Bean
  StreamsBuilderFactoryBeanConfigurer processorStreamsConfigurer(
      ProcessorProperties processor, TopicsProperties topicsProperties, Topics topics) {
    ProcessorStreamsSettings settings =
        new ProcessorStreamsSettings(processor, topicsProperties, topics);
    return factoryBean -> {
      settings.applyTo(factoryBean);
      factoryBean.setStreamsUncaughtExceptionHandler(new ReplaceThreadOnUncaughtException());
    };
  }

  @Bean
  KafkaStreamsHealthIndicator kafkaStreamsHealthIndicator(StreamsBuilderFactoryBean factoryBean) {
    return new KafkaStreamsHealthIndicator(factoryBean);
  }
}
