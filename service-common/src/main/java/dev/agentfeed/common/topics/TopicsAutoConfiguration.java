package dev.agentfeed.common.topics;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventValidator;
import dev.agentfeed.model.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Gives every service the topic names and the event codec, and declares every pipeline topic so
 * that Spring's {@link KafkaAdmin} creates the missing ones at start. Existing topics are left as
 * they are.
 */
@AutoConfiguration
@EnableConfigurationProperties(TopicsProperties.class)
public class TopicsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  Topics agentfeedTopics(TopicsProperties properties) {
    return new Topics(properties.prefix());
  }

  @Bean
  @ConditionalOnMissingBean
  EventCodec eventCodec() {
    return new EventCodec();
  }

  @Bean
  @ConditionalOnMissingBean
  EventValidator eventValidator(EventCodec codec) {
    return new EventValidator(codec);
  }

  @Bean
  @ConditionalOnProperty(name = "agentfeed.topics.create", matchIfMissing = true)
  KafkaAdmin.NewTopics agentfeedNewTopics(Topics topics, TopicsProperties properties) {
    return new KafkaAdmin.NewTopics(
        topics.all().stream().map(spec -> newTopic(spec, properties)).toArray(NewTopic[]::new));
  }

  private static NewTopic newTopic(Topics.TopicSpec spec, TopicsProperties properties) {
    TopicBuilder builder =
        TopicBuilder.name(spec.name())
            .partitions(properties.partitions())
            .replicas(properties.replicationFactor());
    if (properties.replicationFactor() > 1) {
      builder.config("min.insync.replicas", "2");
    }
    return spec.compacted() ? builder.compact().build() : builder.build();
  }
}
