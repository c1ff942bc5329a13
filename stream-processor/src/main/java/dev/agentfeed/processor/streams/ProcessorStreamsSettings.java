package dev.agentfeed.processor.streams;

import dev.agentfeed.common.topics.TopicsProperties;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * The Kafka Streams settings the pipeline's contract fixes. They override anything set under {@code
 * spring.kafka.streams.properties}, so a deployment cannot silently lose exactly-once.
 *
 * <ul>
 *   <li>{@code exactly_once_v2}: the seq stores and the output commit in one transaction, so a
 *       retried task reassigns the same seqs and {@code read_committed} readers see each event
 *       once.
 *   <li>{@code commit.interval.ms} from {@code agentfeed.processor.commit-interval}: the latency a
 *       {@code read_committed} reader sees.
 *   <li>The producer's {@code linger.ms} from {@code agentfeed.processor.produce-linger}: what a
 *       {@code read_uncommitted} reader (the gateway) waits for an output record beyond processing.
 *   <li>The producer's retry backoff, 2 ms growing to at most 100 ms: the first records of a
 *       transaction that starts while the broker still writes the previous one's markers are
 *       refused with {@code CONCURRENT_TRANSACTIONS} and retried, and the client's default backoff
 *       (100 ms, growing to 1 s) held live events that long (seen as a pipeline p99 over 1 s); 10
 *       ms still showed in the tier-1 p99 (26.8 ms at 10 ms, 18.1–24.7 ms at 2 ms, same broker).
 *   <li>Records on the raw topic that are not envelopes go to the dead-letter topic, with the
 *       exception, the source topic, partition and offset in {@code __streams.errors.*} headers and
 *       the original key and value untouched (KIP-1034), and processing goes on.
 *   <li>So do records a processor throws on (KIP-1033): the dead-letter record carries the raw
 *       record as read from {@code events.raw} and the exception in the same headers. Processors
 *       check what they can before they change state, so a refused record leaves none behind.
 *   <li>{@code max.task.idle.ms} disabled: idling only orders records across the several input
 *       partitions of one task (joins, merged streams), and every task here reads exactly one
 *       partition, so it changes no result. Left at 0, each check of a task with nothing buffered
 *       (the rollup's tasks, most of the time) formats a log message it never prints: 3 % of the
 *       stream thread in a profile.
 *   <li>The stream threads' transactional producers leave waiting for their records to the commit
 *       of the transaction ({@link CommitFlushedClientSupplier}).
 *   <li>Changelog topics are replicated like the pipeline's topics ({@code
 *       agentfeed.topics.replication-factor}).
 * </ul>
 */
final class ProcessorStreamsSettings {

  private final ProcessorProperties processor;
  private final TopicsProperties topicsProperties;
  private final Topics topics;

  ProcessorStreamsSettings(
      ProcessorProperties processor, TopicsProperties topicsProperties, Topics topics) {
    this.processor = processor;
    this.topicsProperties = topicsProperties;
    this.topics = topics;
  }

  Map<String, Object> asMap() {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    settings.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, processor.commitInterval().toMillis());
    settings.put(
        StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
        processor.produceLinger().toMillis());
    settings.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 2L);
    settings.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG), 100L);
    settings.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, processor.streamThreads());
    settings.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    settings.put(
        StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) topicsProperties.replicationFactor());
    if (topicsProperties.replicationFactor() > 1) {
      // As for the pipeline's own topics: an acknowledged changelog write survives a broker loss.
      settings.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), "2");
    }
    settings.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    settings.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueProcessingExceptionHandler.class.getName());
    settings.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.deadLetters());
    return settings;
  }

  void applyTo(StreamsBuilderFactoryBean factoryBean) {
    Properties properties = factoryBean.getStreamsConfiguration();
    properties.putAll(asMap());
    factoryBean.setStreamsConfiguration(properties);
    factoryBean.setClientSupplier(new CommitFlushedClientSupplier());
  }
}
