package dev.agentfeed.bench.processor;

import dev.agentfeed.bench.BenchKafka;
import java.time.Duration;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Counts the records of one output topic from its beginning as a {@code read_uncommitted} reader
 * sees them, to time a drain by when its output is written rather than when it is committed: a
 * commit every 500 ms would otherwise round a drain of a second or two by up to a quarter. Records
 * of an aborted transaction would count too; the benchmark checks the committed outputs apart.
 */
final class OutputCount implements AutoCloseable {

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private long count;

  OutputCount(BenchKafka kafka, String topic) {
    this.consumer = kafka.assigned(false, false, topic);
    this.topic = topic;
  }

  /**
   * Reads until {@code target} records have been seen; returns {@link System#nanoTime()} at the
   * poll that brought the last of them.
   */
  long await(long target, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (count < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            topic + " holds " + count + " records after " + patience + ", expected " + target);
      }
      count += consumer.poll(Duration.ofMillis(20)).count();
    }
    return System.nanoTime();
  }

  /** Reads for {@code time}; returns the count then. */
  long readFor(Duration time) {
    long end = System.nanoTime() + time.toNanos();
    while (System.nanoTime() < end) {
      count += consumer.poll(Duration.ofMillis(20)).count();
    }
    return count;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
