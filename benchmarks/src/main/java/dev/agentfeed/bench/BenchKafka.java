package dev.agentfeed.bench;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Clients configured the way the pipeline's services configure theirs, for one broker. */
public final class BenchKafka {

  private final String bootstrap;

  public BenchKafka(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  public String bootstrap() {
    return bootstrap;
  }

  public void createTopics(int partitions, String... topics)
      throws InterruptedException, ExecutionException {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      for (String topic : topics) {
        try {
          admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
  }

  /** As ingest produces: acks=all, idempotent. */
  public KafkaProducer<byte[], byte[]> producer(int lingerMs) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }

  /** As Kafka Streams produces under exactly_once_v2. */
  public KafkaProducer<byte[], byte[]> transactionalProducer(String transactionalId) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }

  /** As the archiver and analysts read: read_committed. */
  public KafkaConsumer<byte[], byte[]> consumer(String groupId) {
    return consumer(groupId, true);
  }

  /**
   * With the isolation level chosen: the gateway reads {@code feed.live} uncommitted, the archiver
   * and analysts read committed.
   */
  public KafkaConsumer<byte[], byte[]> consumer(String groupId, boolean readCommitted) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    }
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        readCommitted ? "read_committed" : "read_uncommitted");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(p);
  }

  /** A group-less read_committed consumer assigned to every partition of {@code topics}. */
  public KafkaConsumer<byte[], byte[]> assigned(boolean fromEnd, String... topics) {
    return assigned(true, fromEnd, topics);
  }

  /** A group-less consumer assigned to every partition of {@code topics}. */
  public KafkaConsumer<byte[], byte[]> assigned(
      boolean readCommitted, boolean fromEnd, String... topics) {
    KafkaConsumer<byte[], byte[]> consumer = consumer(null, readCommitted);
    List<TopicPartition> partitions =
        List.of(topics).stream()
            .flatMap(
                t ->
                    consumer.partitionsFor(t).stream()
                        .map(p -> new TopicPartition(t, p.partition())))
            .toList();
    consumer.assign(partitions);
    if (fromEnd) {
      consumer.seekToEnd(partitions);
    } else {
      consumer.seekToBeginning(partitions);
    }
    partitions.forEach(consumer::position);
    return consumer;
  }
}
