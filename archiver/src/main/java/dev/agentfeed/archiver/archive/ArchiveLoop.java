package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.ArchiverProperties;
import dev.agentfeed.archiver.storage.ReplayStore;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The archiver's poll loop, on its own thread: reads {@code events.enriched} (key sessionId) with
 * {@code read_committed}, buffers events per session in a {@link PartitionWriter} per assigned
 * partition, writes finished sessions to S3 through the {@link SessionArchiver}, and commits per
 * partition only the offset below which every event is in S3 — after each upload and every commit
 * interval. S3 failures keep the buffers and retry with backoff; while more than the memory budget
 * is buffered the consumer is paused (spilling to disk is not built yet). On any other failure the
 * buffers are dropped and every partition is read again from its committable offset. A revoked
 * partition's buffers are dropped after committing what is safe, so its next owner reads the open
 * sessions again from their first event.
 */
final class ArchiveLoop implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ArchiveLoop.class);

  /** Longest stretch of uploads between two polls, well inside {@code max.poll.interval.ms}. */
  private static final Duration MAX_UPLOAD_PASS = Duration.ofSeconds(5);

  /** Wait after an unexpected failure before reading again. */
  private static final Duration ERROR_PAUSE = Duration.ofSeconds(1);

  private final ArchiverProperties properties;
  private final String topic;
  private final Supplier<Consumer<String, byte[]>> consumers;
  private final EnrichedEventReader reader;
  private final SessionArchiver archiver;
  private final ReplayStore store;
  private final DeadLetterPublisher deadLetters;
  private final Clock clock;
  private final ArchiveStats stats;
  private final UploadBackoff backoff;

  // Owned by the loop thread (the rebalance listener runs on it too, inside poll).
  private final Map<TopicPartition, PartitionWriter> writers = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private Instant lastCommitAt;
  private boolean paused;

  private volatile boolean running;
  private volatile Consumer<String, byte[]> consumer;
  private Thread thread;

  ArchiveLoop(
      ArchiverProperties properties,
      String topic,
      Supplier<Consumer<String, byte[]>> consumers,
      EnrichedEventReader reader,
      SessionArchiver archiver,
      ReplayStore store,
      DeadLetterPublisher deadLetters,
      Clock clock,
      ArchiveStats stats) {
    this.properties = properties;
    this.topic = topic;
    this.consumers = consumers;
    this.reader = reader;
    this.archiver = archiver;
    this.store = store;
    this.deadLetters = deadLetters;
    this.clock = clock;
    this.stats = stats;
    this.backoff =
        new UploadBackoff(properties.s3().retryInitialBackoff(), properties.s3().retryMaxBackoff());
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    if (properties.s3().createBucket()) {
      try {
        store.ensureBucket();
      } catch (SdkException e) {
        throw new IllegalStateException(
            "Cannot reach bucket "
                + store.bucket()
                + " at start; check agentfeed.archiver.s3.* (endpoint, region, credentials)",
            e);
      }
    }
    consumer = consumers.get();
    running = true;
    stats.running(true);
    thread = new Thread(this::run, "archiver-poll");
    thread.start();
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    consumer.wakeup();
    try {
      thread.join(properties.s3().requestTimeout().plus(Duration.ofSeconds(10)).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      lastCommitAt = clock.instant();
      while (running) {
        try {
          pollOnce();
        } catch (WakeupException e) {
          // stop() woke the consumer; the loop condition ends the loop.
        } catch (RuntimeException e) {
          if (running) {
            log.error("Archiving {} failed; reading again from the committable offsets", topic, e);
            rewind();
            pause(ERROR_PAUSE);
          }
        }
      }
      commitOnStop();
    } catch (RuntimeException | Error e) {
      log.error("Archiver poll loop died", e);
      stats.failed(e);
    } finally {
      running = false;
      stats.running(false);
      deadLetters.close();
      consumer.close();
    }
  }

  private void commitOnStop() {
    try {
      commit();
      log.info("Archiver stopped; committed {}", committed);
    } catch (KafkaException e) {
      log.warn("Committing on stop failed; a restart reads more again", e);
    }
  }

  private void pollOnce() {
    ConsumerRecords<String, byte[]> records = consumer.poll(properties.pollTimeout());
    Instant now = clock.instant();
    for (ConsumerRecord<String, byte[]> record : records) {
      accept(record, now);
    }
    for (PartitionWriter writer : writers.values()) {
      writer.finishIdle(now, properties.idleTimeout());
    }
    boolean archived = archiveFinished();
    if (archived || !clock.instant().isBefore(lastCommitAt.plus(properties.commitInterval()))) {
      commit();
    }
    applyMemoryBudget();
  }

  private void accept(ConsumerRecord<String, byte[]> record, Instant now) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    PartitionWriter writer = writers.computeIfAbsent(partition, PartitionWriter::new);
    EnrichedEventReader.Result result = reader.read(record);
    if (result instanceof EnrichedEventReader.Accepted accepted) {
      writer.add(record.offset(), accepted.session(), accepted.event(), now);
    } else if (result instanceof EnrichedEventReader.Rejected rejected) {
      deadLetters.publish(record, rejected.reason());
      stats.deadLettered();
    }
  }

  /**
   * Writes finished sessions, oldest first per partition, until one fails or the pass has taken
   * long enough.
   *
   * @return whether anything was archived, so that offsets may move on
   */
  private boolean archiveFinished() {
    Instant start = clock.instant();
    if (!backoff.ready(start)) {
      return false;
    }
    Instant deadline = start.plus(MAX_UPLOAD_PASS);
    boolean archivedAny = false;
    for (PartitionWriter writer : writers.values()) {
      for (SessionBuffer buffer = writer.nextFinished();
          buffer != null && clock.instant().isBefore(deadline);
          buffer = writer.nextFinished()) {
        try {
          SessionArchiver.Outcome outcome = archiver.archive(buffer);
          writer.archived(buffer);
          backoff.succeeded();
          stats.archived(outcome);
          archivedAny = true;
          log.debug(
              "Session {} ({} events, {}): {}",
              buffer.session().key(),
              buffer.size(),
              buffer.status().wireName(),
              outcome);
        } catch (SdkException | UncheckedIOException e) {
          backoff.failed(clock.instant());
          stats.uploadFailed(backoff.failures(), e.toString());
          // The stack trace once per outage; then one line per attempt.
          log.warn(
              "Archiving session {} from {} failed ({} in a row); keeping it, next try in {}: {}",
              buffer.session().key(),
              writer.partition(),
              backoff.failures(),
              backoff.delay(),
              e.toString(),
              backoff.failures() == 1 ? e : null);
          return archivedAny;
        }
      }
    }
    return archivedAny;
  }

  /** Commits, per partition, the offset below which everything is in S3, where it moved. */
  private void commit() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionWriter writer : writers.values()) {
      TopicPartition partition = writer.partition();
      long safe = writer.committableOffset(consumer.position(partition));
      if (!Long.valueOf(safe).equals(committed.get(partition))) {
        offsets.put(partition, new OffsetAndMetadata(safe));
      }
    }
    lastCommitAt = clock.instant();
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets);
      offsets.forEach((partition, offset) -> committed.put(partition, offset.offset()));
      log.debug("Committed {}", offsets);
    } catch (CommitFailedException
        | RetriableCommitFailedException
        | RebalanceInProgressException e) {
      // Nothing is lost: the same offsets, or later ones, are committed next time.
      log.warn("Committing {} failed; retrying at the next commit", offsets, e);
    }
  }

  /**
   * Pauses every assigned partition while more than the budget is buffered, and resumes once below.
   * Open sessions then only finish by the idle timeout.
   */
  private void applyMemoryBudget() {
    long bytes = 0;
    int sessions = 0;
    int finished = 0;
    for (PartitionWriter writer : writers.values()) {
      bytes += writer.bytes();
      sessions += writer.sessions();
      finished += writer.finishedSessions();
    }
    boolean overBudget = bytes > properties.maxBufferedBytes().toBytes();
    if (overBudget) {
      if (!paused) {
        log.warn(
            "{} bytes buffered in {} sessions, over agentfeed.archiver.max-buffered-bytes={};"
                + " pausing {} until uploads free memory",
            bytes,
            sessions,
            properties.maxBufferedBytes(),
            topic);
      }
      // Again every time: partitions assigned since the last pause are not paused yet.
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (paused) {
      log.info("{} bytes buffered; resuming {}", bytes, topic);
      consumer.resume(consumer.paused());
      paused = false;
    }
    stats.buffered(bytes, sessions, finished, paused);
  }

  /** Drops every buffer and reads each partition again from its committable offset. */
  private void rewind() {
    try {
      for (PartitionWriter writer : writers.values()) {
        long safe = writer.committableOffset(consumer.position(writer.partition()));
        writer.clear();
        consumer.seek(writer.partition(), safe);
      }
    } catch (KafkaException e) {
      log.error("Rewinding {} failed; the next poll continues where it can", topic, e);
    }
  }

  private void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Runs inside {@code poll}, on the loop thread. */
  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (TopicPartition partition : partitions) {
        PartitionWriter writer = writers.remove(partition);
        committed.remove(partition);
        if (writer != null) {
          offsets.put(
              partition,
              new OffsetAndMetadata(writer.committableOffset(consumer.position(partition))));
          if (writer.sessions() > 0) {
            log.info(
                "{} revoked with {} sessions not yet in S3; its next owner reads them again",
                partition,
                writer.sessions());
          }
        }
      }
      try {
        consumer.commitSync(offsets);
      } catch (KafkaException e) {
        log.warn("Committing {} on revocation failed; the next owner reads more again", offsets, e);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      for (TopicPartition partition : partitions) {
        writers.remove(partition);
        committed.remove(partition);
      }
      log.warn("Lost {} without committing; their next owner reads them again", partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition partition : partitions) {
        writers.put(partition, new PartitionWriter(partition));
      }
      log.info("Archiving {}", partitions);
    }
  }
}
