package dev.agentfeed.gateway.feed;

import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.Topics;
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
 * assign-based, read_committed consumer and hands each record to its partition's {@link
 * PartitionFeed}, which keeps the bounded tail and dispatches to subscribers. It starts at the end
 * of the topic (history is read on demand by {@link HistoryReader}, where each session's history
 * starts is known from {@code sessions.stats}) and follows the topic live. It writes nothing. Every
 * gateway instance reads everything, so any instance can serve any dashboard.
 */
public final class FeedReader extends TopicFollower {

  private static final Logger log = LoggerFactory.getLogger(FeedReader.class);

  private final RecordDecoder decoder;
  private final SessionDirectory directory;
  private final GatewayProperties properties;
  private final Clock clock;
  // Replaced whole when partitions are added, so that a reader of it never sees a partial count.
  private volatile Map<Integer, PartitionFeed> partitions = Map.of();
  private volatile boolean caughtUp;
  private Instant nextRefresh;

  public FeedReader(
      FeedConsumers consumers,
      Topics topics,
      EventCodec codec,
      SessionDirectory directory,
      GatewayProperties properties,
      Clock clock) {
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
  protected String whatStops() {
    return "no dashboard gets live events now";
  }

  @Override
  protected void startReading(Consumer<byte[], byte[]> reader, List<TopicPartition> assigned) {
    startReading(reader, assigned, assigned, false);
    log.info("Following {} partitions of {} live from their end", assigned.size(), topic());
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
      log.info("Following {} live", topic());
    }
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
}
