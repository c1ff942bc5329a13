package dev.agentfeed.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real single-node KRaft broker in the test's JVM, configured so that transactions work on one
 * node (the stream processor runs exactly_once_v2) and consumer groups start without the usual
 * rebalance delay. It creates no topic on first use: a test lists its topics in {@link #start} or
 * lets the service under test create them at its start. Call {@link EmbeddedKafkaBroker#destroy()}
 * when done.
 */
public final class KafkaTestBroker {

  private KafkaTestBroker() {}

  /**
   * Starts a broker whose listed topics (if any) have {@code partitions} partitions; no other topic
   * exists until something creates it.
   */
  public static EmbeddedKafkaBroker start(int partitions, String... topics) {
    EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, partitions, topics);
    broker.brokerProperties(
        Map.of(
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "group.initial.rebalance.delay.ms", "0",
            // Topics exist because something created them (the test, or a service at its start),
            // never because a client asked for their metadata: a producer that creates a topic by
            // sending to it races the new partitions' leader election and can lose its first batch.
            "auto.create.topics.enable", "false"));
    broker.afterPropertiesSet();
    return broker;
  }

  /**
   * A producer of the pipeline's records (key sessionId as a string, value the JSON bytes) that
   * waits for the broker's acknowledgement of every record ({@code acks=all}). The caller closes
   * it.
   */
  public static KafkaProducer<String, byte[]> producer(EmbeddedKafkaBroker broker) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.getBrokersAsString(),
            ProducerConfig.ACKS_CONFIG,
            "all"),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /**
   * Like {@link #producer}, with a transactional id, to write records as an exactly-once producer
   * does (call {@code initTransactions()} first). The caller closes it.
   */
  public static KafkaProducer<String, byte[]> transactionalProducer(
      EmbeddedKafkaBroker broker, String transactionalId) {
    return transactionalProducer(broker, transactionalId, Map.of());
  }

  /**
   * Like {@link #transactionalProducer(EmbeddedKafkaBroker, String)}, with producer settings of the
   * caller's on top (e.g. {@code linger.ms} 0, a larger {@code max.request.size}). The caller
   * closes it.
   */
  public static KafkaProducer<String, byte[]> transactionalProducer(
      EmbeddedKafkaBroker broker, String transactionalId, Map<String, Object> overrides) {
    Map<String, Object> config = new HashMap<>(overrides);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Settings of a consumer that reads what transactions committed ({@code read_committed}) from the
   * start of its topics, in a consumer group of its own.
   */
  public static Map<String, Object> readCommittedFromStart(EmbeddedKafkaBroker broker) {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        broker.getBrokersAsString(),
        ConsumerConfig.GROUP_ID_CONFIG,
        "test-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        "read_committed");
  }

  /** An admin client of the broker. The caller closes it. */
  public static Admin admin(EmbeddedKafkaBroker broker) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()));
  }

  /** The offset the consumer group committed on the partition, or -1 when none. */
  public static long committedOffset(Admin admin, String groupId, TopicPartition partition) {
    try {
      OffsetAndMetadata offset =
          admin
              .listConsumerGroupOffsets(groupId)
              .partitionsToOffsetAndMetadata()
              .get()
              .get(partition);
      return offset == null ? -1 : offset.offset();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read the offsets of group " + groupId, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
