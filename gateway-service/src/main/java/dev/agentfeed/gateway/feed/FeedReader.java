package dev.agentfeed.gateway.feed;

import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
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
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live reader: one thread reads every partition of {@code feed.live} (key sessionId) with an
 * assign-based, {@code read_uncommitted} consumer (records arrive as the processor writes them, not
 * when its transaction commits), passes each record through its partition's {@link SeqFence} (so
 * that what an aborted transaction's re-run re-emits is not passed on twice) and hands what is left
 * to the partition's {@link PartitionFeed}, which keeps the bounded tail and dispatches to
 * subscribers. It starts at the end of the topic, after reading {@code reemission-lookbehind}
 * offsets before it only to build the fences (history is read on demand by {@link HistoryReader},
 * where each session's history starts is known from {@code sessions.stats}) and follows the topic
 * live. It writes nothing. Every gateway instance reads everything, so any instance can serve any
 * dashboard.
 */
public final class FeedReader extends TopicFollower {

  private static final Logger log = LoggerFactory.getLogger(FeedReader.class);

  private final RecordDecoder decoder;
  private final SessionDirectory directory;
  private final GatewayProperties properties;
  private final Clock clock;
  private final Counter reemitted;
  // Replaced whole when partitions are added, so that a reader of it never sees a partial count.
  private volatile Map<Integer, PartitionFeed> partitions = Map.of();
  // Touched by the reader thread only.
  private final Map<Integer, SeqFence> fences = new HashMap<>();
  private volatile boolean caughtUp;
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
    for (TopicPartition tp : reader.assignment()) {
      PartitionFeed feed = partitions.get(tp.partition());
      List<ConsumerRecord<byte[], byte[]>> raw = polled.records(tp);
      if (raw.isEmpty()) {
        feed.advanceTo(reader.position(tp));
        continue;
      }
      SeqFence fence = fences.get(tp.partition());
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
      feed.append(records, reader.position(tp));
    }
    if (!caughtUp && partitions.values().stream().allMatch(PartitionFeed::caughtUp)) {
      caughtUp = true;
      log.info("Following {} live", topic());
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
