package dev.agentfeed.gateway.detail;

import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.gateway.feed.FeedConsumers;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the detail lookup on {@code events.enriched}. */
@Configuration(proxyBeanMethods = false)
class DetailConfiguration {

  @Bean
  DetailLookup detailLookup(
      FeedConsumers consumers,
      Topics topics,
      EventCodec codec,
      GatewayProperties properties,
      MeterRegistry meters) {
    return new DetailLookup(
        consumers,
        topics.enriched(),
        codec.mapper(),
        properties.detailReaders(),
        properties.detailIndexSize(),
        properties.detailCacheSize().toBytes(),
        properties.pollTimeout(),
        meters);
  }
}
