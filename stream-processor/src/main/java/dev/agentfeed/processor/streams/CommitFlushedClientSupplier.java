package dev.agentfeed.processor.streams;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * The clients Kafka Streams would create itself, except that a transactional producer leaves
 * waiting for its records to {@link KafkaProducer#commitTransaction()}.
 *
 * <p>In every commit Kafka Streams prepares each task in turn ({@code StreamTask.prepareCommit}):
 * the task's store caches and write-behind stores send their changelog records, then the producer
 * is flushed and waited for. Under {@code exactly_once_v2} all tasks of a stream thread share one
 * producer and one transaction, and {@code commitTransaction} sends no end-of-transaction until
 * every record sent in the transaction is acknowledged. The per-task flushes only put one produce
 * round trip per task in a row in front of the commit, during which the stream thread processes
 * nothing (six tasks: about 7 of a 13 ms commit, the tier-1 p99). Without them, the changelog
 * records of all tasks, the offsets and the end of the transaction travel together.
 *
 * <p>What exactly-once rests on is unchanged: the same records and offsets go into the same
 * transaction, and it commits only when all of them are acknowledged. A record that failed before
 * the commit still fails it: Kafka Streams checks the send errors it has seen at each flush, and
 * the producer refuses to commit a transaction with a failed record. The stream thread then stops
 * with the error and is replaced ({@link ReplaceThreadOnUncaughtException}); the transaction is
 * aborted and the input processed again from the last committed offsets.
 */
final class CommitFlushedClientSupplier implements KafkaClientSupplier {

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    if (config.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG) == null) {
      return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }
    return new CommitFlushedProducer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return consumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return consumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return consumer(config);
  }

  private static Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** A transactional producer whose {@link #flush()} leaves the wait to the commit. */
  static final class CommitFlushedProducer extends KafkaProducer<byte[], byte[]> {

    CommitFlushedProducer(Map<String, Object> config) {
      super(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Every record of a transaction is acknowledged before the transaction commits. */
    @Override
    public void flush() {}
  }
}
