package dev.agentfeed.gateway.sessions;

import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.gateway.feed.FeedConsumers;
import dev.agentfeed.model.SessionRef;
import dev.agentfeed.model.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the compacted {@code sessions.stats} topic (key {@code orgId/sessionId}, value the
 * session's latest stats as JSON, a tombstone when it is deleted) from the beginning into the
 * {@link SessionIndex}, then follows it. Assign-based and read_committed, like the feed reader. It
 * writes nothing. A document whose key and body disagree on the session is skipped: the key decides
 * which org may see it, and a mismatch would be a processor bug.
 */
public final class StatsReader implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(StatsReader.class);

  private final FeedConsumers consumers;
  private final String topic;
  private final SessionIndex index;
  private final JsonMapper mapper;
  private final Duration pollTimeout;
  private final Duration retry;
  private final Object idle = new Object();
  private volatile boolean running;
  private volatile boolean caughtUp;
  private volatile Consumer<byte[], byte[]> consumer;
  private Thread thread;

  public StatsReader(
      FeedConsumers consumers,
      Topics topics,
      SessionIndex index,
      JsonMapper mapper,
      GatewayProperties properties) {
    this.consumers = consumers;
    this.topic = topics.sessionsStats();
    this.index = index;
    this.mapper = mapper;
    this.pollTimeout = properties.pollTimeout();
    this.retry = properties.partitionRefreshInterval();
  }

  /** Whether everything that was in the topic at start has been read. */
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
    thread = new Thread(this::run, "agentfeed-stats-reader");
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
    try (Consumer<byte[], byte[]> reader = consumers.create("stats", false)) {
      consumer = reader;
      List<TopicPartition> partitions = awaitPartitions(reader);
      if (partitions.isEmpty()) {
        return;
      }
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = reader.endOffsets(partitions);
      while (running) {
        try {
          for (ConsumerRecord<byte[], byte[]> record : reader.poll(pollTimeout)) {
            apply(record);
          }
          if (!caughtUp
              && ends.entrySet().stream()
                  .allMatch(e -> reader.position(e.getKey()) >= e.getValue())) {
            caughtUp = true;
            log.info("Read {}: {} sessions indexed; following it", topic, index.size());
          }
        } catch (WakeupException e) {
          // stop() woke the consumer; the loop condition ends the thread
        } catch (KafkaException e) {
          log.error("Reading {} failed; retrying", topic, e);
          sleep(pollTimeout);
        }
      }
    } catch (WakeupException e) {
      // stopped while the consumer was being set up
    } catch (RuntimeException e) {
      log.error(
          "The reader of {} stopped; session lists and stats are no longer updated", topic, e);
    } finally {
      consumer = null;
    }
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    if (record.key() == null) {
      return;
    }
    SessionRef session;
    try {
      session = SessionRef.parseKey(new String(record.key(), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      log.warn(
          "Skipping a stats record whose key is not org/session: topic {} partition {} offset {}",
          record.topic(),
          record.partition(),
          record.offset());
      return;
    }
    if (record.value() == null) {
      index.remove(session);
      return;
    }
    try {
      JsonNode stats = mapper.readTree(record.value());
      SessionSummary summary = SessionSummary.of(stats);
      if (!session.orgId().equals(summary.orgId())
          || !session.sessionId().equals(summary.sessionId())) {
        log.warn(
            "Skipping stats of session {} whose body names {}/{}: topic {} partition {} offset {}",
            session.key(),
            summary.orgId(),
            summary.sessionId(),
            record.topic(),
            record.partition(),
            record.offset());
        return;
      }
      index.put(session, summary, record.value());
    } catch (JacksonException e) {
      log.warn(
          "Skipping stats of session {} that are not JSON: topic {} partition {} offset {}",
          session.key(),
          record.topic(),
          record.partition(),
          record.offset(),
          e);
    }
  }

  private List<TopicPartition> awaitPartitions(Consumer<byte[], byte[]> reader) {
    while (running) {
      List<PartitionInfo> infos = reader.partitionsFor(topic);
      if (infos != null && !infos.isEmpty()) {
        List<TopicPartition> result = new ArrayList<>();
        infos.forEach(info -> result.add(new TopicPartition(topic, info.partition())));
        return result;
      }
      log.warn("Topic {} does not exist yet; waiting for it", topic);
      sleep(retry);
    }
    return List.of();
  }

  private void sleep(Duration duration) {
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
