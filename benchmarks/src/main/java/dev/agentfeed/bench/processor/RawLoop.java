package dev.agentfeed.bench.processor;

import dev.agentfeed.bench.BenchKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The reference the processor is compared with: the plainest exactly-once consume→produce loop on
 * the same broker, with the processor's guarantee and commit interval. It reads {@code input}
 * ({@code read_committed}) and writes every record unchanged to each output topic in a transaction
 * that also commits the input offsets, every commit interval — what Kafka Streams does for the
 * processor, minus the processing and the state stores.
 */
final class RawLoop implements AutoCloseable {

  private final BenchKafka kafka;
  private final String input;
  private final List<String> outputs;
  private final long commitIntervalNanos;
  private final String id;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  private volatile long committed;
  private long processed;
  private volatile long pauseAfter = Long.MAX_VALUE;
  private volatile Exception failure;

  RawLoop(
      BenchKafka kafka, String input, List<String> outputs, Duration commitInterval, String id) {
    this.kafka = kafka;
    this.input = input;
    this.outputs = outputs;
    this.commitIntervalNanos = commitInterval.toNanos();
    this.id = id;
    this.thread = new Thread(this::run, "raw-loop-" + id);
  }

  RawLoop start() {
    thread.start();
    return this;
  }

  /**
   * Stops reading once {@code records} have been read (at most one poll more), commits what was
   * read at once, and reads on after {@link #resume()}.
   */
  RawLoop pauseAfter(long records) {
    pauseAfter = records;
    return this;
  }

  void resume() {
    pauseAfter = Long.MAX_VALUE;
  }

  /** Records whose transaction committed. */
  long committed() {
    if (failure != null) {
      throw new IllegalStateException("the raw loop failed", failure);
    }
    return committed;
  }

  private void run() {
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer("raw-loop-" + id);
        KafkaProducer<byte[], byte[]> producer = kafka.transactionalProducer("raw-loop-" + id)) {
      producer.initTransactions();
      consumer.subscribe(List.of(input));
      boolean open = false;
      boolean isPaused = false;
      long lastCommit = System.nanoTime();
      while (running.get()) {
        if ((processed >= pauseAfter) != isPaused) {
          isPaused = !isPaused;
          if (isPaused) {
            consumer.pause(consumer.assignment());
          } else {
            consumer.resume(consumer.paused());
          }
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(5));
        for (ConsumerRecord<byte[], byte[]> record : records) {
          if (!open) {
            producer.beginTransaction();
            open = true;
          }
          for (String output : outputs) {
            producer.send(new ProducerRecord<>(output, record.key(), record.value()));
          }
          processed++;
        }
        if (open && (isPaused || System.nanoTime() - lastCommit >= commitIntervalNanos)) {
          Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
          for (TopicPartition partition : consumer.assignment()) {
            offsets.put(partition, new OffsetAndMetadata(consumer.position(partition)));
          }
          producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
          producer.commitTransaction();
          open = false;
          committed = processed;
          lastCommit = System.nanoTime();
        }
      }
    } catch (Exception e) {
      failure = e;
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join();
  }
}
