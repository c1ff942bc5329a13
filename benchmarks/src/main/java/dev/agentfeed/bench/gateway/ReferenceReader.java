package dev.agentfeed.bench.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the gateway's clients' latency is compared with: a plain Kafka consumer of {@code feed.live}
 * on the same broker, in this JVM, that does nothing but take each record's {@code receivedAt} to
 * the moment its poll returned. It reads as the gateway does ({@code read_uncommitted}, every
 * partition assigned, from the end) but with Kafka's fetch defaults (the broker answers as soon as
 * a record is there), so its figure is what any reader of this broker gets on this machine under
 * this load: the part of the clients' latency that is not the gateway's. It runs on one thread of
 * its own (named {@link #THREAD}, so that its CPU is counted apart) and parses nothing but the two
 * fields it needs, straight from the record's bytes.
 */
final class ReferenceReader implements AutoCloseable {

  static final String THREAD = "bench-reference-reader";

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Recorder latencyMicros = new Recorder(Deliveries.MAX_LATENCY_MICROS, 3);
  private final LongAdder records = new LongAdder();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  private ReferenceReader(KafkaConsumer<byte[], byte[]> consumer) {
    this.consumer = consumer;
    this.thread = new Thread(this::run, THREAD);
  }

  /** Starts reading every partition of {@code topic} from its end, on a thread of its own. */
  static ReferenceReader start(String bootstrap, String topic, String group) {
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG,
                THREAD,
                // A group of its own, which it never commits to: positions are assigned.
                ConsumerConfig.GROUP_ID_CONFIG,
                group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_uncommitted"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    ReferenceReader reader = new ReferenceReader(consumer);
    reader.thread.start();
    return reader;
  }

  /** receivedAt → poll return, in microseconds, of every record with a readable receivedAt. */
  Recorder latency() {
    return latencyMicros;
  }

  /** Records read so far. */
  long records() {
    return records.sum();
  }

  private void run() {
    try {
      while (running.get()) {
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
        if (polled.isEmpty()) {
          continue;
        }
        long nowMicros = nowMicros();
        for (ConsumerRecord<byte[], byte[]> record : polled) {
          byte[] value = record.value();
          EventFrames.Fields fields =
              value == null ? null : EventFrames.fields(value, 0, value.length);
          if (fields != null) {
            long micros = nowMicros - fields.receivedAtMicros();
            latencyMicros.recordValue(Math.max(0, Math.min(micros, Deliveries.MAX_LATENCY_MICROS)));
          }
        }
        records.add(polled.count());
      }
    } catch (WakeupException e) {
      // close() ends the poll.
    } finally {
      consumer.close();
    }
  }

  private static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    consumer.wakeup();
    thread.join(10_000);
  }
}
