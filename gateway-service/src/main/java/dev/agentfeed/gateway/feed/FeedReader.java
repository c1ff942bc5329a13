package dev.agentfeed.gateway.feed;

import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The live reader: one thread reads every partition of {@code feed.live} (key sessionId) with an
 * assign-based, {@code read_uncommitted} consumer (records arrive as the processor writes them, not
 * when its transaction commits), passes each record through its partition's {@link SeqFence} (so
 * that what an aborted transaction's re-run re-emits is not passed on twice) and hands what is left
 * to the partition's {@link PartitionFeed}, which keeps the bounded tail and dispatches to
 * subscribers. Decoding and dispatching are most of its work (a frame per subscriber per record),
 * so what one poll returned is decoded and dispatched partition by partition by up to {@code
 * dispatch-threads} threads at once; the next poll waits for all of it, so a partition is still
 * dispatched in offset order, by one thread at a time. It starts at the end of the topic, after
 * reading {@code reemission-lookbehind} offsets before it only to build the fences (history is read
 * on demand by {@link HistoryReader}, where each session's history starts is known from {@code
 * sessions.stats}) and follows the topic live. It writes nothing. Every gateway instance reads
 * everything, so any instance can serve any dashboard.
 */
public final class FeedReader extends TopicFollower {

  private static final Logger log = LoggerFactory.getLogger(FeedReader.class);

  private final RecordDecoder decoder;
  private final SessionDirectory directory;
  private final GatewayProperties properties;
  private final Clock clock;
  private final Counter reemitted;
  private final Timer lag;
  // Replaced whole when partitions are added, so that a reader of it never sees a partial count.
  private volatile Map<Integer, PartitionFeed> partitions = Map.of();
  // Touched by the reader thread only.
  private final Map<Integer, SeqFence> fences = new HashMap<>();
  private volatile boolean caughtUp;
  // Threads that dispatch partitions while the reader thread waits; null with one dispatch thread.
  private volatile ExecutorService helpers;
  private Instant nextRefresh;

  public FeedReader(
      FeedConsumers consumers,
      Topics topics,
      EventCodec codec,
      SessionDirectory directory,
      GatewayProperties properties,
      Clock clock,
      MeterRegistry meters) {
    super(
        consumers,
        topics.feedLive(),
        "live",
        properties.partitionRefreshInterval(),
        properties.pollTimeout());
    this.decoder = new RecordDecoder(codec);
    this.directory = directory;
    this.properties = properties;
    this.clock = clock;
    this.reemitted =
        Counter.builder("agentfeed.gateway.reemitted.events")
            .description(
                "Events of feed.live the live reader did not pass on again: re-emitted by the"
                    + " re-run of an aborted stream-processor transaction")
            .register(meters);
    this.lag =
        Timer.builder("agentfeed.gateway.feed.lag")
            .description(
                "From a feed.live record's receivedAt at ingest (its first event's) to the live"
                    + " reader handing it to its subscribers' outboxes: the part of the end-to-end"
                    + " latency before the senders")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(meters);
  }

  @Override
  public synchronized void start() {
    if (!isRunning() && properties.dispatchThreads() > 1) {
      CustomizableThreadFactory factory = new CustomizableThreadFactory("agentfeed-dispatch-");
      factory.setDaemon(true);
      helpers = Executors.newFixedThreadPool(properties.dispatchThreads(), factory);
    }
    super.start();
  }

  @Override
  public synchronized void stop() {
    super.stop();
    if (helpers != null) {
      helpers.shutdownNow();
      helpers = null;
    }
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

  @Override
  protected Consumer<byte[], byte[]> newConsumer(FeedConsumers factory, String purpose) {
    return factory.createFeed(purpose, false);
  }

  @Override
  protected String whatStops() {
    return "no dashboard gets live events now";
  }

  @Override
  protected void startReading(Consumer<byte[], byte[]> reader, List<TopicPartition> assigned) {
    startReading(reader, assigned, assigned, false);
    log.info(
        "Following {} partitions of {} live from their end, after a look-behind of {} offsets",
        assigned.size(),
        topic(),
        properties.reemissionLookbehind());
    nextRefresh = clock.instant().plus(properties.partitionRefreshInterval());
  }

  @Override
  protected void pollOnce(Consumer<byte[], byte[]> reader) {
    poll(reader);
    if (!clock.instant().isBefore(nextRefresh)) {
      refreshPartitions(reader);
      nextRefresh = clock.instant().plus(properties.partitionRefreshInterval());
    }
  }

  private void poll(Consumer<byte[], byte[]> reader) {
    ConsumerRecords<byte[], byte[]> polled = reader.poll(properties.pollTimeout());
    List<Runnable> work = new ArrayList<>();
    for (TopicPartition tp : reader.assignment()) {
      PartitionFeed feed = partitions.get(tp.partition());
      List<ConsumerRecord<byte[], byte[]>> raw = polled.records(tp);
      // The consumer is the reader thread's alone: where it is now is asked here.
      long position = reader.position(tp);
      if (raw.isEmpty()) {
        feed.advanceTo(position);
        continue;
      }
      SeqFence fence = fences.get(tp.partition());
      work.add(() -> read(feed, fence, raw, position));
    }
    runAll(work);
    if (!caughtUp && partitions.values().stream().allMatch(PartitionFeed::caughtUp)) {
      caughtUp = true;
      log.info("Following {} live", topic());
    }
  }

  /** Decodes, fences and dispatches what was read from one partition. */
  private void read(
      PartitionFeed feed, SeqFence fence, List<ConsumerRecord<byte[], byte[]>> raw, long position) {
    long liveFrom = feed.liveFrom();
    List<FeedRecord> records = new ArrayList<>(raw.size());
    for (ConsumerRecord<byte[], byte[]> record : raw) {
      if (record.offset() < liveFrom) {
        // The look-behind: it only teaches the fence what was passed on before.
        decoder.peek(record).ifPresent(seen -> fence.observe(seen.session(), seen.maxSeq()));
      } else {
        decoder.decode(record).flatMap(decoded -> admit(fence, decoded)).ifPresent(records::add);
      }
    }
    // The index learns a session before any subscriber sees its events.
    records.forEach(r -> directory.record(r.orgId(), r.session().sessionId()));
    feed.append(records, position);
    recordLag(records);
  }

  /**
   * Runs one poll's work of each partition on the dispatch threads and returns once all of it is
   * done: the next poll of a partition never overtakes the dispatch of the previous one, so each
   * partition is still dispatched in offset order.
   */
  private void runAll(List<Runnable> work) {
    ExecutorService pool = helpers;
    if (work.size() <= 1 || pool == null) {
      work.forEach(Runnable::run);
      return;
    }
    List<Future<Object>> done;
    try {
      done = pool.invokeAll(work.stream().map(Executors::callable).toList());
    } catch (InterruptedException e) {
      // The reader is being stopped.
      Thread.currentThread().interrupt();
      return;
    }
    for (Future<Object> future : done) {
      try {
        future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException failure) {
          throw failure;
        }
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  /** How long after ingest received them the records' frames were queued to their subscribers. */
  private void recordLag(List<FeedRecord> records) {
    long now = clock.millis();
    for (FeedRecord record : records) {
      Instant receivedAt = record.events().get(0).receivedAt();
      if (receivedAt != null) {
        lag.record(Math.max(0, now - receivedAt.toEpochMilli()), TimeUnit.MILLISECONDS);
      }
    }
  }

  private Optional<FeedRecord> admit(SeqFence fence, FeedRecord decoded) {
    Optional<FeedRecord> admitted = fence.admit(decoded);
    int dropped = decoded.events().size() - admitted.map(r -> r.events().size()).orElse(0);
    if (dropped > 0) {
      reemitted.increment(dropped);
      log.debug(
          "Dropped {} re-emitted events of session {}: topic {} partition {} offset {}",
          dropped,
          decoded.session().key(),
          topic(),
          decoded.partition(),
          decoded.offset());
    }
    return admitted;
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
        topic(),
        partitions.size(),
        all.size());
    startReading(reader, all, added, true);
  }

  /**
   * Assigns {@code all}; the {@code fresh} ones (all of them at start) are read from their end
   * (after the look-behind), or from their beginning when they were added while running (everything
   * in them is new).
   */
  private void startReading(
      Consumer<byte[], byte[]> reader,
      List<TopicPartition> all,
      List<TopicPartition> fresh,
      boolean fromBeginning) {
    reader.assign(all);
    Map<TopicPartition, Long> ends = reader.endOffsets(fresh);
    Map<TopicPartition, Long> begins = reader.beginningOffsets(fresh);
    Map<Integer, PartitionFeed> next = new HashMap<>(partitions);
    for (TopicPartition tp : fresh) {
      long begin = begins.getOrDefault(tp, 0L);
      long end = ends.getOrDefault(tp, 0L);
      // From the end, after a look-behind that only builds the fence.
      long start = fromBeginning ? begin : Math.max(begin, end - properties.reemissionLookbehind());
      reader.seek(tp, start);
      PartitionFeed feed =
          new PartitionFeed(
              tp.partition(), properties.tailRecords(), properties.tailBytes().toBytes());
      feed.startAt(start, end);
      next.put(tp.partition(), feed);
      fences.put(tp.partition(), new SeqFence(properties.reemissionFenceSessions()));
    }
    partitions = Map.copyOf(next);
  }
}
