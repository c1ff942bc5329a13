package dev.agentfeed.processor.sequencing;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Adds the sequencing topology to the application's one {@link StreamsBuilder}. */
@Configuration(proxyBeanMethods = false)
class SequencingConfiguration {

  @Bean
  KStream<String, EventEnvelope> sequencedEvents(
      StreamsBuilder builder, Topics topics, ProcessorProperties properties) {
    return SequencingTopology.build(builder, topics, properties);
  }
}
