package dev.agentfeed.gateway.feed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * One thread that follows every partition of one topic with an assign-based consumer, for as long
 * as the application runs: it waits for the topic to exist, lets the subclass position the
 * consumer, then polls until stopped, retrying after a Kafka error. The feed reader and the stats
 * reader are the two; what they do with the records is theirs. The consumer is {@code
 * read_committed} unless the subclass creates another ({@link #newConsumer}).
 */
public abstract class TopicFollower implements SmartLifecycle {

  private final Logger log = LoggerFactory.getLogger(getClass());

  private final FeedConsumers consumers;
  private final String topic;
  private final String name;
  private final Duration topicWait;
  private final Duration errorPause;
  private final Object idle = new Object();
  private volatile boolean running;
  private volatile Consumer<byte[], byte[]> consumer;
  private Thread thread;

  /**
   * @param name names the consumer's client id and the thread ({@code agentfeed-<name>-reader})
   * @param topicWait how long to wait before looking again for a topic that does not exist yet
   * @param errorPause how long to wait after a failed poll
   */
  protected TopicFollower(
      FeedConsumers consumers, String topic, String name, Duration topicWait, Duration errorPause) {
    this.consumers = consumers;
    this.topic = topic;
    this.name = name;
    this.topicWait = topicWait;
    this.errorPause = errorPause;
  }

  public String topic() {
    return topic;
  }

  /** The consumer the thread reads with; {@code read_committed} unless overridden. */
  protected Consumer<byte[], byte[]> newConsumer(FeedConsumers factory, String purpose) {
    return factory.create(purpose, false);
  }

  /** Assigns and positions the consumer on the topic's partitions, once they exist. */
  protected abstract void startReading(
      Consumer<byte[], byte[]> reader, List<TopicPartition> partitions);

  /** One poll and what follows from it; a Kafka error is logged and the next poll retries. */
  protected abstract void pollOnce(Consumer<byte[], byte[]> reader);

  /** What no longer happens when the thread dies of an unexpected error, for the log. */
  protected abstract String whatStops();

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::run, "agentfeed-" + name + "-reader");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public synchronized void stop() {
    running = false;
    Consumer<byte[], byte[]> current = consumer;
    if (current != null) {
      current.wakeup();
    }
    synchronized (idle) {
      idle.notifyAll();
    }
    if (thread != null) {
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void run() {
    try (Consumer<byte[], byte[]> reader = newConsumer(consumers, name)) {
      consumer = reader;
      List<TopicPartition> partitions = awaitPartitions(reader);
      if (partitions.isEmpty()) {
        return;
      }
      startReading(reader, partitions);
      while (running) {
        try {
          pollOnce(reader);
        } catch (WakeupException e) {
          // stop() woke the consumer; the loop condition ends the thread
        } catch (KafkaException e) {
          log.error("Reading {} failed; retrying", topic, e);
          pause(errorPause);
        }
      }
    } catch (WakeupException e) {
      // stopped while the consumer was being set up
    } catch (RuntimeException e) {
      log.error("The reader of {} stopped; {}", topic, whatStops(), e);
    } finally {
      consumer = null;
    }
  }

  private List<TopicPartition> awaitPartitions(Consumer<byte[], byte[]> reader) {
    while (running) {
      List<TopicPartition> found = partitionsOf(reader);
      if (!found.isEmpty()) {
        return found;
      }
      log.warn("Topic {} does not exist yet; waiting for it", topic);
      pause(topicWait);
    }
    return List.of();
  }

  /** The topic's partitions as the broker knows them now; empty while the topic does not exist. */
  protected final List<TopicPartition> partitionsOf(Consumer<byte[], byte[]> reader) {
    List<PartitionInfo> infos = reader.partitionsFor(topic);
    List<TopicPartition> result = new ArrayList<>();
    if (infos != null) {
      infos.forEach(info -> result.add(new TopicPartition(topic, info.partition())));
    }
    return result;
  }

  private void pause(Duration duration) {
    synchronized (idle) {
      try {
        if (running) {
          idle.wait(Math.max(1, duration.toMillis()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      }
    }
  }
}
