package dev.agentfeed.ingest.events;

import dev.agentfeed.ingest.IngestProperties;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The settings of the producer that writes {@code events.raw}, applied over {@code
 * spring.kafka.producer.*} (connection, security and client settings there still apply). Idempotent
 * with {@code acks=all}, so an acknowledged event is on every in-sync replica and a retried send is
 * never written twice; at most 5 requests in flight, which idempotence needs to keep each session's
 * order; a short linger and lz4 for throughput without visible latency. The timeouts come from
 * {@code agentfeed.ingest.kafka-timeout}, so that neither a send (waiting for metadata or buffer
 * space) nor a delivery outlasts it.
 */
@Configuration(proxyBeanMethods = false)
class ProducerConfiguration {

  static final long MAX_LINGER_MS = 5;
  static final int MAX_IN_FLIGHT = 5;

  @Bean
  DefaultKafkaProducerFactoryCustomizer ingestProducerSettings(IngestProperties properties) {
    return factory -> {
      factory.updateConfigs(settings(properties, factory.getConfigurationProperties()));
      // Closing must not wait longer for a dead broker than a request would.
      factory.setPhysicalCloseTimeout((int) properties.kafkaTimeout().toSeconds());
    };
  }

  static Map<String, Object> settings(IngestProperties properties, Map<String, Object> configured) {
    long timeout = properties.kafkaTimeout().toMillis();
    Map<String, Object> settings = new HashMap<>();
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(
        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
        String.valueOf(
            atMost(
                configured, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, MAX_IN_FLIGHT)));
    settings.put(
        ProducerConfig.LINGER_MS_CONFIG,
        String.valueOf(atMost(configured, ProducerConfig.LINGER_MS_CONFIG, MAX_LINGER_MS)));
    settings.put(
        ProducerConfig.COMPRESSION_TYPE_CONFIG,
        configured.getOrDefault(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"));
    settings.put(
        ProducerConfig.CLIENT_ID_CONFIG,
        configured.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, "agentfeed-ingest"));
    // delivery.timeout.ms must cover linger.ms + request.timeout.ms; half leaves room for a retry.
    settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(timeout));
    settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout / 2));
    settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout));
    return settings;
  }

  private static long atMost(Map<String, Object> configured, String name, long max) {
    Object value = configured.get(name);
    return value == null ? max : Math.min(max, Long.parseLong(String.valueOf(value).trim()));
  }
}
