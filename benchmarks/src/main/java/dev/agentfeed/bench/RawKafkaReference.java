package dev.agentfeed.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The reference every pipeline figure is compared with: plain Kafka produce→consume on the same
 * broker, with the producer settings ingest uses (acks=all, idempotent), records of the same size.
 * Latency is measured at the pipeline's rate with linger 0; throughput as fast as it goes.
 */
final class RawKafkaReference {

  /** Throughput figures of one run, records per second. */
  record Throughput(long records, double produceRecordsPerSecond, double consumeRecordsPerSecond) {}

  private final String bootstrap;
  private final BenchKafka kafka;
  private final String topic;
  private final int recordBytes;

  RawKafkaReference(String bootstrap, String topic, int recordBytes) {
    this.bootstrap = bootstrap;
    this.kafka = new BenchKafka(bootstrap);
    this.topic = topic;
    this.recordBytes = recordBytes;
  }

  void createTopic(int partitions) throws InterruptedException, ExecutionException {
    kafka.createTopics(partitions, topic);
  }

  /** Produce→consume latency at {@code rate} records/s for {@code duration}, after warm-up. */
  Latencies latencyAtRate(double rate, Duration warmup, Duration duration) throws Exception {
    Latencies latencies = new Latencies();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong received = new AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer(0);
        KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = partitions(consumer);
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      Thread reader =
          new Thread(
              () -> {
                while (running.get()) {
                  for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long sent = ByteBuffer.wrap(r.value()).getLong();
                    latencies.recordNanos(System.nanoTime() - sent);
                    received.incrementAndGet();
                  }
                }
              },
              "raw-reference-consumer");
      reader.start();
      long total = (long) (rate * (warmup.toMillis() + duration.toMillis()) / 1000d);
      long warmupCount = (long) (rate * warmup.toMillis() / 1000d);
      Pacer pacer = new Pacer(System.nanoTime(), rate);
      for (long n = 0; n < total; n++) {
        pacer.awaitTurn(n);
        if (n == warmupCount) {
          latencies.reset();
        }
        producer.send(new ProducerRecord<>(topic, key(n), payload(System.nanoTime())));
      }
      producer.flush();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (received.get() < total && System.nanoTime() < deadline) {
        LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
      }
      running.set(false);
      reader.join();
    }
    return latencies;
  }

  /** Produces {@code records} as fast as the producer goes, then consumes them all. */
  Throughput throughput(long records) throws Exception {
    long startOffsetSum;
    try (KafkaConsumer<byte[], byte[]> probe = consumer()) {
      List<TopicPartition> partitions = partitions(probe);
      startOffsetSum = probe.endOffsets(partitions).values().stream().mapToLong(l -> l).sum();
    }
    long produceStart = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer(5)) {
      byte[] value = payload(0);
      for (long n = 0; n < records; n++) {
        producer.send(new ProducerRecord<>(topic, key(n), value));
      }
      producer.flush();
    }
    double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
    AtomicLong consumed = new AtomicLong();
    long consumeStart = System.nanoTime();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = partitions(consumer);
      consumer.assign(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long endSum = ends.values().stream().mapToLong(l -> l).sum();
      long skip = startOffsetSum;
      consumer.seekToBeginning(partitions);
      long seen = 0;
      while (seen < endSum) {
        seen += consumer.poll(Duration.ofMillis(200)).count();
      }
      consumed.set(seen - skip);
    }
    double consumeSeconds = (System.nanoTime() - consumeStart) / 1e9;
    return new Throughput(
        records, records / produceSeconds, consumed.get() / Math.max(consumeSeconds, 1e-9));
  }

  private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
    return consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition()))
        .toList();
  }

  private static byte[] key(long n) {
    return ("bench-" + (n % 64)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private byte[] payload(long sentNanos) {
    ByteBuffer buffer = ByteBuffer.allocate(recordBytes);
    buffer.putLong(sentNanos);
    return buffer.array();
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(p);
  }
}
