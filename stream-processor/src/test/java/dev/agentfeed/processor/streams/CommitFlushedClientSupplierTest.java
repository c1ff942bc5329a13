package dev.agentfeed.processor.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentfeed.testing.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * The stream threads' producers on a real broker: a transaction committed without a flush holds
 * every record sent in it, one with a failed record does not commit, and a producer without a
 * transaction still flushes.
 */
class CommitFlushedClientSupplierTest {

  private static final String TOPIC = "commit-flushed";
  private static final int RECORDS = 500;

  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = KafkaTestBroker.start(2, TOPIC);
  }

  @AfterAll
  static void stopBroker() {
    broker.destroy();
  }

  @Test
  void shouldCommitEveryRecordOfATransactionThatWasNeverFlushed() {
    List<String> sent = values("committed", RECORDS);
    try (Producer<byte[], byte[]> producer = transactional(Map.of())) {
      producer.initTransactions();
      producer.beginTransaction();
      sent.forEach(value -> producer.send(record(value)));
      producer.flush();
      producer.commitTransaction();
    }

    assertThat(readCommitted(RECORDS)).containsExactlyInAnyOrderElementsOf(sent);
  }

  @Test
  void shouldRefuseToCommitATransactionWithAFailedRecord() {
    List<String> before = values("before-failure", 20);
    // The producer lets the record go; the broker refuses it (over its 1 MB message.max.bytes),
    // which the producer learns only once the record is sent: here, at the commit.
    try (Producer<byte[], byte[]> producer =
        transactional(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20))) {
      producer.initTransactions();
      producer.beginTransaction();
      before.forEach(value -> producer.send(record(value)));
      producer.send(new ProducerRecord<>(TOPIC, new byte[2 << 20]));
      producer.flush();

      assertThatThrownBy(producer::commitTransaction).isInstanceOf(KafkaException.class);
      producer.abortTransaction();
    }

    assertThat(readCommitted(0)).doesNotContainAnyElementsOf(before);
  }

  @Test
  void shouldStillFlushAProducerWithoutTransactions() throws Exception {
    Map<String, Object> config = baseConfig();
    config.put(ProducerConfig.LINGER_MS_CONFIG, 60_000);
    try (Producer<byte[], byte[]> producer =
        new CommitFlushedClientSupplier().getProducer(config)) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      values("plain", 10).forEach(value -> sends.add(producer.send(record(value))));

      producer.flush();

      assertThat(sends).allMatch(Future::isDone);
    }
  }

  private static Producer<byte[], byte[]> transactional(Map<String, Object> overrides) {
    Map<String, Object> config = baseConfig();
    config.putAll(overrides);
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "commit-flushed-" + UUID.randomUUID());
    // Records wait in the producer unless something flushes them: only the commit does here.
    config.put(ProducerConfig.LINGER_MS_CONFIG, 60_000);
    return new CommitFlushedClientSupplier().getProducer(config);
  }

  private static Map<String, Object> baseConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return config;
  }

  private static List<String> values(String prefix, int count) {
    String run = prefix + "-" + UUID.randomUUID() + "-";
    return IntStream.range(0, count).mapToObj(i -> run + i).toList();
  }

  private static ProducerRecord<byte[], byte[]> record(String value) {
    return new ProducerRecord<>(TOPIC, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Everything a {@code read_committed} reader sees on the topic: read until it has at least {@code
   * expected} values and three polls in a row found nothing, for at most a minute.
   */
  private static List<String> readCommitted(int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            KafkaTestBroker.readCommittedFromStart(broker),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      int emptyPolls = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while ((emptyPolls < 3 || values.size() < expected) && System.nanoTime() < deadline) {
        var records = consumer.poll(Duration.ofMillis(500));
        emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
          values.add(new String(record.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return values;
  }
}
