package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.ArchiverProperties;
import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the poll loop. Kafka clients start from {@code spring.kafka.*}; what archiving depends on
 * is fixed here: the group, {@code read_committed} (the archive holds only committed data) and
 * manual commits.
 */
@Configuration(proxyBeanMethods = false)
class ArchiveConfiguration {

  private static final Duration DEAD_LETTER_TIMEOUT = Duration.ofSeconds(30);

  /** Objects from up to this many pending bytes are compressed in memory, larger ones on disk. */
  private static final long IN_MEMORY_OBJECT_BYTES = 8L * 1024 * 1024;

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  ReplayCodec replayCodec(EventCodec eventCodec) {
    return new ReplayCodec(eventCodec.mapper());
  }

  @Bean
  ArchiveStats archiveStats() {
    return new ArchiveStats();
  }

  @Bean
  ArchiveHealthIndicator archiverHealthIndicator(ArchiveStats archiveStats) {
    return new ArchiveHealthIndicator(archiveStats);
  }

  @Bean
  ArchiveLoop archiveLoop(
      ArchiverProperties properties,
      KafkaProperties kafka,
      Topics topics,
      EventCodec eventCodec,
      ReplayCodec replayCodec,
      ReplayStore store,
      Clock clock,
      ArchiveStats archiveStats,
      ObjectProvider<ArchiveListener> listeners) {
    Path spoolDir = SpoolDirectory.prepare(properties.segments().spoolDir());
    ArchiveListener listener = listeners.getIfAvailable(() -> ArchiveListener.NONE);
    return new ArchiveLoop(
        properties,
        topics.enriched(),
        consumers(kafka, properties),
        new EnrichedEventReader(eventCodec),
        new SessionArchiver(
            store,
            replayCodec,
            eventCodec.mapper(),
            properties.tailLookback(),
            spoolDir,
            IN_MEMORY_OBJECT_BYTES,
            listener),
        store,
        new DeadLetterPublisher(
            producers(kafka),
            topics.deadLetters(),
            eventCodec.mapper(),
            clock,
            DEAD_LETTER_TIMEOUT),
        clock,
        archiveStats,
        spoolDir,
        listener);
  }

  private static Supplier<Consumer<String, byte[]>> consumers(
      KafkaProperties kafka, ArchiverProperties properties) {
    Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, properties.groupId());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return () -> new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static Supplier<Producer<String, byte[]>> producers(KafkaProperties kafka) {
    Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return () -> new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }
}
