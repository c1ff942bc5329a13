package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.ArchiverProperties;
import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.archiver.storage.ReplayStore;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
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
import tools.jackson.core.JacksonException;

/**
 * The archiver's poll loop, on its own thread: reads {@code events.enriched} (key sessionId) with
 * {@code read_committed} and keeps a {@link PartitionWriter} per assigned partition. Each session's
 * events are written to S3 as segments when they grow past the segment size or wait past the
 * segment age, and the session is compacted when it ends or goes idle (see {@link
 * SessionArchiver}). Per partition it commits only the offset below which every event is in S3 and
 * every session finished: the first offset of the oldest session still held, so a restart reads an
 * unfinished session again from its start, skips what S3 already holds and finishes it.
 *
 * <p>The S3 work of different sessions runs on {@code upload-concurrency} upload threads at once
 * (S3 is bound by round trips) while the poll thread reads on; an event for a session whose segment
 * is being written waits for that upload, and a session's offset stays held until the poll thread
 * has seen its upload succeed.
 *
 * <p>Memory is bounded: past {@code max-buffered-bytes} the largest sessions spill to the spool
 * directory, and past {@code segments.max-spool-bytes} on disk the consumer pauses. A failed S3
 * call retries that session alone with backoff; other sessions go on, unless several sessions fail
 * in a row (an outage): then no new upload starts until the last failed session's backoff has
 * passed. On any other failure every upload under way is waited for, every buffer dropped and every
 * partition read again from its committable offset. A revoked partition waits for the uploads under
 * way, commits what is safe and drops its buffers, so its next owner reads the open sessions again
 * from their start.
 */
final class ArchiveLoop implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ArchiveLoop.class);

  /** How long a poll waits for records while uploads are under way. */
  private static final Duration IN_FLIGHT_POLL = Duration.ofMillis(10);

  /** Failures in a row, across sessions, taken for an outage: no new upload starts for a while. */
  private static final int OUTAGE_FAILURES = 3;

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
  private final Path spoolDir;
  private final ArchiveListener listener;
  private ExecutorService uploads;

  // Owned by the loop thread (the rebalance listener runs on it too, inside poll).
  private final Map<TopicPartition, PartitionWriter> writers = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private final Map<OpenSession, Job> inFlight = new HashMap<>();
  private Instant lastCommitAt;
  private boolean paused;
  private int failedInARow;
  private Instant outageUntil = Instant.MIN;

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
      ArchiveStats stats,
      Path spoolDir,
      ArchiveListener listener) {
    this.properties = properties;
    this.topic = topic;
    this.consumers = consumers;
    this.reader = reader;
    this.archiver = archiver;
    this.store = store;
    this.deadLetters = deadLetters;
    this.clock = clock;
    this.stats = stats;
    this.spoolDir = spoolDir;
    this.listener = listener;
  }

  private static ExecutorService uploadThreads(int count) {
    AtomicInteger threads = new AtomicInteger();
    return Executors.newFixedThreadPool(
        count,
        task -> {
          Thread thread = new Thread(task, "archiver-upload-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
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
    uploads = uploadThreads(properties.uploadConcurrency());
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
      drain();
      commitOnStop();
    } catch (RuntimeException | Error e) {
      log.error("Archiver poll loop died", e);
      stats.failed(e);
    } finally {
      running = false;
      stats.running(false);
      if (!inFlight.isEmpty()) {
        // The loop died with uploads under way. They run to their end (each S3 call is bounded
        // by the request timeout): an upload must never read a buffer while it is dropped below.
        uploads.shutdown();
        drain();
      }
      writers.values().forEach(PartitionWriter::clear);
      uploads.shutdownNow();
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
    // While uploads run, poll briefly so that finished uploads are settled (and their sessions'
    // offsets committed) soon; otherwise wait for records as configured.
    ConsumerRecords<String, byte[]> records =
        consumer.poll(inFlight.isEmpty() ? properties.pollTimeout() : IN_FLIGHT_POLL);
    boolean finishedAny = settleCompleted();
    Instant now = clock.instant();
    for (ConsumerRecord<String, byte[]> record : records) {
      finishedAny |= accept(record, now);
    }
    applyMemoryBudget();
    for (PartitionWriter writer : writers.values()) {
      writer.finishIdle(now, properties.idleTimeout());
    }
    submitDue();
    finishedAny |= settleCompleted();
    if (finishedAny || !clock.instant().isBefore(lastCommitAt.plus(properties.commitInterval()))) {
      commit();
    }
  }

  /**
   * @return whether a session was finished in S3 meanwhile (its upload had to be waited for)
   */
  private boolean accept(ConsumerRecord<String, byte[]> record, Instant now) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    PartitionWriter writer = writers.computeIfAbsent(partition, this::newWriter);
    EnrichedEventReader.Result result = reader.read(record);
    boolean finishedAny = false;
    if (result instanceof EnrichedEventReader.Accepted accepted) {
      OpenSession open = writer.open(accepted.session());
      Job underWay = open == null ? null : inFlight.get(open);
      if (underWay != null) {
        // Its segment is being written from the pending events: the new event waits for it.
        finishedAny = settle(underWay, true);
      }
      writer.add(record.offset(), accepted.session(), accepted.event(), now);
    } else if (result instanceof EnrichedEventReader.Rejected rejected) {
      deadLetters.publish(record, rejected.reason());
      stats.deadLettered();
    }
    return finishedAny;
  }

  private PartitionWriter newWriter(TopicPartition partition) {
    return new PartitionWriter(
        partition,
        () ->
            new UploadBackoff(
                properties.s3().retryInitialBackoff(), properties.s3().retryMaxBackoff()));
  }

  /**
   * Starts the S3 work of due sessions — segments due and finished sessions, oldest first, each
   * session on its own retry schedule — while fewer than {@code upload-concurrency} are under way.
   * Several sessions failing in a row are taken for an outage: nothing new starts until the last
   * failed session's backoff has passed.
   */
  private void submitDue() {
    Instant now = clock.instant();
    long maxBytes = properties.segments().maxBytes().toBytes();
    Duration maxAge = properties.segments().maxAge();
    int concurrency = properties.uploadConcurrency();
    boolean outage = failedInARow >= OUTAGE_FAILURES && now.isBefore(outageUntil);
    int retrying = 0;
    for (PartitionWriter writer : writers.values()) {
      for (OpenSession session : writer.workable()) {
        if (session.backoff().failures() > 0) {
          retrying++;
        }
        boolean finishing = session.status() != null;
        if (outage
            || inFlight.size() >= concurrency
            || inFlight.containsKey(session)
            || (!finishing && !session.segmentDue(now, maxBytes, maxAge))
            || !session.backoff().ready(now)) {
          continue;
        }
        Job job = new Job(writer, session, session.status(), new CompletableFuture<>());
        inFlight.put(session, job);
        submit(job);
      }
    }
    stats.retrying(retrying);
  }

  /** One session's S3 work: a segment, or finishing the session when {@code status} is set. */
  private record Job(
      PartitionWriter writer,
      OpenSession session,
      SessionStatus status,
      CompletableFuture<SessionArchiver.Outcome> result) {

    boolean finishing() {
      return status != null;
    }
  }

  /**
   * Runs the job's S3 calls on an upload thread: sessions are independent in S3, and S3 is bound by
   * round trips, so several at once go faster, and the poll thread reads on meanwhile. Until the
   * poll thread has settled the job, only that thread touches the session's pending events and
   * folder: the poll thread adds no event to it (it waits for the job first), spills nothing of it
   * and drops it only after waiting for it.
   */
  private void submit(Job job) {
    uploads.execute(
        () -> {
          try {
            OpenSession session = job.session();
            if (session.folder() == null) {
              session.folder(
                  archiver.resolve(session.session(), session.firstSeq(), session.firstTs()));
            }
            if (job.finishing()) {
              job.result()
                  .complete(archiver.finish(session.folder(), session.pending(), job.status()));
            } else {
              archiver.writeSegment(session.folder(), session.pending());
              job.result().complete(null);
            }
          } catch (RuntimeException | Error e) {
            job.result().completeExceptionally(e);
          }
        });
  }

  /**
   * Settles every job that is done.
   *
   * @return whether a session was finished
   */
  private boolean settleCompleted() {
    boolean finishedAny = false;
    for (Job job : List.copyOf(inFlight.values())) {
      if (job.result().isDone()) {
        finishedAny |= settle(job, true);
      }
    }
    return finishedAny;
  }

  /**
   * Waits for every job under way and settles it; before buffers are dropped (a rebalance, a
   * rewind, stopping), so that no upload thread still touches them. Every job is waited for, even
   * when settling another one fails.
   */
  private void drain() {
    for (Job job : List.copyOf(inFlight.values())) {
      try {
        settle(job, false);
      } catch (RuntimeException e) {
        log.error("Settling the upload of session {} failed", job.session().session().key(), e);
      }
    }
  }

  /**
   * Takes a job's result on the poll thread, waiting for it if need be: forgets a finished session,
   * empties a written segment's buffer, or schedules the session's next try.
   *
   * @param rethrow whether a failure that is not S3's or the spool's (a bug) is thrown, so that the
   *     loop reads everything again, or only logged (while draining)
   * @return whether a session was finished
   */
  private boolean settle(Job job, boolean rethrow) {
    OpenSession session = job.session();
    inFlight.remove(session);
    try {
      SessionArchiver.Outcome outcome = job.result().join();
      if (job.finishing()) {
        job.writer().done(session);
        stats.archived(outcome);
        log.debug("Session {} finished ({}): {}", session.session().key(), job.status(), outcome);
      } else {
        session.segmentWritten();
        stats.segmentWritten();
      }
      session.backoff().succeeded();
      stats.uploadSucceeded();
      failedInARow = 0;
      return job.finishing();
    } catch (CompletionException | CancellationException wrapped) {
      Throwable e = wrapped.getCause() == null ? wrapped : wrapped.getCause();
      if (!(e instanceof SdkException
          || e instanceof UncheckedIOException
          || e instanceof IllegalStateException
          || e instanceof JacksonException)) {
        // Not S3 or the spool: a bug; the loop reads everything again from the committed offsets.
        if (rethrow) {
          throw wrapped;
        }
        log.error("Writing session {} failed", session.session().key(), e);
        return false;
      }
      // What S3 holds may have changed under the failed call: look the folder up again.
      session.folder(null);
      Instant now = clock.instant();
      session.backoff().failed(now);
      stats.uploadFailed(e.toString());
      if (++failedInARow >= OUTAGE_FAILURES) {
        outageUntil = now.plus(session.backoff().delay());
      }
      // The stack trace once per session outage; then one line per attempt.
      log.warn(
          "Writing session {} from {} failed ({} in a row); keeping it, next try in {}: {}",
          session.session().key(),
          job.writer().partition(),
          session.backoff().failures(),
          session.backoff().delay(),
          e.toString(),
          session.backoff().failures() == 1 ? e : null);
      return false;
    }
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
      listener.committed(offsets);
    } catch (CommitFailedException
        | RetriableCommitFailedException
        | RebalanceInProgressException e) {
      // Nothing is lost: the same offsets, or later ones, are committed next time.
      log.warn("Committing {} failed; retrying at the next commit", offsets, e);
    }
  }

  /**
   * Spills the largest sessions to the spool while more than the memory budget is held, and pauses
   * every assigned partition while the spool is over its budget (resuming once below).
   */
  private void applyMemoryBudget() {
    long budget = properties.maxBufferedBytes().toBytes();
    long memory = writers.values().stream().mapToLong(PartitionWriter::memoryBytes).sum();
    if (memory > budget) {
      for (PartitionWriter writer : writers.values()) {
        for (OpenSession session : writer.byMemory()) {
          if (memory <= budget / 2) {
            break;
          }
          if (inFlight.containsKey(session)) {
            // Its upload thread reads the pending events; it frees them soon anyway.
            continue;
          }
          long before = session.pending().memoryBytes();
          session.pending().spill(spoolDir);
          memory -= before;
          stats.spilled();
        }
      }
    }
    long spool = writers.values().stream().mapToLong(PartitionWriter::spoolBytes).sum();
    int sessions = writers.values().stream().mapToInt(PartitionWriter::sessions).sum();
    int finished = writers.values().stream().mapToInt(PartitionWriter::finishedSessions).sum();
    boolean overBudget = spool > properties.segments().maxSpoolBytes().toBytes();
    if (overBudget) {
      if (!paused) {
        log.warn(
            "{} bytes spooled for {} sessions, over agentfeed.archiver.segments.max-spool-bytes={};"
                + " pausing {} until uploads free space",
            spool,
            sessions,
            properties.segments().maxSpoolBytes(),
            topic);
      }
      // Again every time: partitions assigned since the last pause are not paused yet.
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (paused) {
      log.info("{} bytes spooled; resuming {}", spool, topic);
      consumer.resume(consumer.paused());
      paused = false;
    }
    stats.buffered(memory + spool, spool, sessions, finished, paused);
  }

  /** Drops every buffer and reads each partition again from its committable offset. */
  private void rewind() {
    drain();
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

  /**
   * Runs inside {@code poll}, on the loop thread; it waits for the uploads under way first, so none
   * touches a buffer it drops.
   */
  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Uploads finish first: what they finish moves the committed offsets on.
      drain();
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
                "{} revoked with {} sessions not finished in S3; its next owner reads them again"
                    + " from their start and skips what S3 holds",
                partition,
                writer.sessions());
          }
          writer.clear();
        }
      }
      stats.assigned(writers.size());
      try {
        consumer.commitSync(offsets);
        listener.committed(offsets);
      } catch (KafkaException e) {
        log.warn("Committing {} on revocation failed; the next owner reads more again", offsets, e);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      drain();
      for (TopicPartition partition : partitions) {
        PartitionWriter writer = writers.remove(partition);
        if (writer != null) {
          writer.clear();
        }
        committed.remove(partition);
      }
      stats.assigned(writers.size());
      log.warn("Lost {} without committing; their next owner reads them again", partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition partition : partitions) {
        writers.put(partition, newWriter(partition));
      }
      stats.assigned(writers.size());
      log.info("Archiving {}", partitions);
    }
  }
}
