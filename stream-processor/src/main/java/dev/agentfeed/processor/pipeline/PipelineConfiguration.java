package dev.agentfeed.processor.pipeline;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Adds the processor's topology to the application's one {@link StreamsBuilder}. */
@Configuration(proxyBeanMethods = false)
class PipelineConfiguration {

  @Bean
  KStream<String, EventEnvelope> enrichedEvents(
      StreamsBuilder builder, Topics topics, ProcessorProperties properties) {
    return PipelineTopology.build(builder, topics, properties);
  }
}
