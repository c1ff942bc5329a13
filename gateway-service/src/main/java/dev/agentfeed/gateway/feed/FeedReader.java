package dev.agentfeed.gateway.feed;

import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The live reader: one thread reads every partition of {@code feed.live} (key sessionId) with an
 * assign-based, read_committed consumer and hands each record to its partition's {@link
 * PartitionFeed}, which keeps the bounded tail and dispatches to subscribers. It starts at the end
 * of the topic (history is read on demand by {@link HistoryReader}, where each session's history
 * starts is known from {@code sessions.stats}) and follows the topic live. It writes nothing. Every
 * gateway instance reads everything, so any instance can serve any dashboard.
 */
public final class FeedReader implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(FeedReader.class);

  private final FeedConsumers consumers;
  private final String topic;
  private final RecordDecoder decoder;
  private final SessionDirectory directory;
  private final GatewayProperties properties;
  private final Clock clock;
  // Replaced whole when partitions are added, so that a reader of it never sees a partial count.
  private volatile Map<Integer, PartitionFeed> partitions = Map.of();
  private final Object idle = new Object();
  private volatile boolean running;
  private volatile boolean caughtUp;
  private volatile Consumer<byte[], byte[]> consumer;
  private Thread thread;

  public FeedReader(
      FeedConsumers consumers,
      Topics topics,
      EventCodec codec,
      SessionDirectory directory,
      GatewayProperties properties,
      Clock clock) {
    this.consumers = consumers;
    this.topic = topics.feedLive();
    this.decoder = new RecordDecoder(codec);
    this.directory = directory;
    this.properties = properties;
    this.clock = clock;
  }

  public Optional<PartitionFeed> partition(int partition) {
    return Optional.ofNullable(partitions.get(partition));
  }

  /** Partitions known so far; 0 until the topic has been found. */
  public int partitionCount() {
    return partitions.size();
  }

  public Collection<PartitionFeed> partitions() {
    return List.copyOf(partitions.values());
  }

  /** Whether the reader has found the topic and is following it. */
  public boolean caughtUp() {
    return caughtUp;
  }

  public String topic() {
    return topic;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::run, "agentfeed-feed-reader");
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
    try (Consumer<byte[], byte[]> reader = consumers.create("live", false)) {
      consumer = reader;
      List<TopicPartition> assigned = awaitPartitions(reader);
      if (assigned.isEmpty()) {
        return;
      }
      startReading(reader, assigned, assigned, false);
      log.info("Following {} partitions of {} live from their end", assigned.size(), topic);
      Instant nextRefresh = clock.instant().plus(properties.partitionRefreshInterval());
      while (running) {
        try {
          pollOnce(reader);
          if (!clock.instant().isBefore(nextRefresh)) {
            refreshPartitions(reader);
            nextRefresh = clock.instant().plus(properties.partitionRefreshInterval());
          }
        } catch (WakeupException e) {
          // stop() woke the consumer; the loop condition ends the thread
        } catch (KafkaException e) {
          log.error("Reading {} failed; retrying", topic, e);
          pause(properties.pollTimeout());
        }
      }
    } catch (WakeupException e) {
      // stopped while the consumer was being set up
    } catch (RuntimeException e) {
      log.error("The reader of {} stopped; no dashboard gets live events now", topic, e);
    } finally {
      consumer = null;
    }
  }

  private void pollOnce(Consumer<byte[], byte[]> reader) {
    ConsumerRecords<byte[], byte[]> polled = reader.poll(properties.pollTimeout());
    for (TopicPartition tp : reader.assignment()) {
      PartitionFeed feed = partitions.get(tp.partition());
      List<ConsumerRecord<byte[], byte[]>> raw = polled.records(tp);
      if (raw.isEmpty()) {
        feed.advanceTo(reader.position(tp));
        continue;
      }
      List<FeedRecord> records = new ArrayList<>(raw.size());
      for (ConsumerRecord<byte[], byte[]> record : raw) {
        decoder.decode(record).ifPresent(records::add);
      }
      // The index learns a session before any subscriber sees its events.
      records.forEach(r -> directory.record(r.orgId(), r.session().sessionId()));
      feed.append(records, reader.position(tp));
    }
    if (!caughtUp && partitions.values().stream().allMatch(PartitionFeed::caughtUp)) {
      caughtUp = true;
      log.info("Following {} live", topic);
    }
  }

  private List<TopicPartition> awaitPartitions(Consumer<byte[], byte[]> reader) {
    while (running) {
      List<TopicPartition> found = partitionsOf(reader);
      if (!found.isEmpty()) {
        return found;
      }
      log.warn("Topic {} does not exist yet; waiting for it", topic);
      pause(properties.partitionRefreshInterval());
    }
    return List.of();
  }

  private List<TopicPartition> partitionsOf(Consumer<byte[], byte[]> reader) {
    List<PartitionInfo> infos = reader.partitionsFor(topic);
    List<TopicPartition> result = new ArrayList<>();
    if (infos != null) {
      infos.forEach(info -> result.add(new TopicPartition(topic, info.partition())));
    }
    return result;
  }

  private void refreshPartitions(Consumer<byte[], byte[]> reader) {
    List<TopicPartition> all = partitionsOf(reader);
    List<TopicPartition> added =
        all.stream().filter(tp -> !partitions.containsKey(tp.partition())).toList();
    if (added.isEmpty()) {
      return;
    }
    // Sessions may now hash to other partitions, so per-session order across the change is only as
    // good as the producer's; subscriptions made before it keep reading their old partition.
    log.warn(
        "Topic {} grew from {} to {} partitions; reading the new ones from the beginning",
        topic,
        partitions.size(),
        all.size());
    startReading(reader, all, added, true);
  }

  /**
   * Assigns {@code all}; the {@code fresh} ones (all of them at start) are read from their end, or
   * from their beginning when they were added while running (everything in them is new).
   */
  private void startReading(
      Consumer<byte[], byte[]> reader,
      List<TopicPartition> all,
      List<TopicPartition> fresh,
      boolean fromBeginning) {
    reader.assign(all);
    if (fromBeginning) {
      reader.seekToBeginning(fresh);
    } else {
      reader.seekToEnd(fresh);
    }
    Map<TopicPartition, Long> ends = reader.endOffsets(fresh);
    Map<Integer, PartitionFeed> next = new HashMap<>(partitions);
    for (TopicPartition tp : fresh) {
      PartitionFeed feed =
          new PartitionFeed(
              tp.partition(), properties.tailRecords(), properties.tailBytes().toBytes());
      feed.startAt(reader.position(tp), ends.getOrDefault(tp, 0L));
      next.put(tp.partition(), feed);
    }
    partitions = Map.copyOf(next);
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
