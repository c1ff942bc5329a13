package dev.agentfeed.processor.live;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import dev.agentfeed.processor.streams.EnvelopeBytes;
import dev.agentfeed.processor.streams.WriteBehindStore;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Reads the enriched events (key sessionId) and writes what dashboards get to {@code feed.live},
 * key sessionId, value a {@code LiveRecord} as JSON: a tier-1 event at once, or a {@code LiveBatch}
 * of a session's tier-2 events when its window ({@code agentfeed.processor.batch-window}) ends — in
 * both, fields over {@code agentfeed.processor.detail-threshold} replaced by a {@code DetailRef}
 * (tier 3). Each session's records are in seq order; every record's timestamp is one of its events'
 * record timestamps, so none is earlier than the session's {@code firstRecordAt}.
 *
 * <p>The batch store lives in the task of the session's partition, keyed {@code
 * orgId/sessionId/<seq, 19 digits>}.
 */
public final class LiveFeedTopology {

  public static final String BATCHER = "live-batcher";
  public static final String SINK = "feed-live-events";

  /** Tier-2 events waiting for their session's batch. */
  public static final String BATCH_STORE = "live-batch-store";

  private LiveFeedTopology() {}

  /**
   * Adds the live branch after {@code enriched}; {@code envelopeBytes} serialises the live events
   * (the same instance as the enriched sink's serialiser, so an unchanged event is written once).
   */
  public static void build(
      KStream<String, EventEnvelope> enriched,
      Topics topics,
      ProcessorProperties settings,
      EnvelopeBytes envelopeBytes) {
    enriched
        .process(batcher(settings, envelopeBytes), Named.as(BATCHER))
        .to(topics.feedLive(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName(SINK));
  }

  private static ProcessorSupplier<String, EventEnvelope, String, byte[]> batcher(
      ProcessorProperties settings, EnvelopeBytes envelopeBytes) {
    EventCodec codec = new EventCodec();
    DetailCutter cutter = new DetailCutter(settings.detailThreshold().toBytes(), codec.mapper());
    // In memory, backed by its changelog like any store: it only ever holds the events of open
    // windows (at most batch-window or batch-max-bytes per session), is read only when the task
    // starts, and a restart restores it from the compacted changelog. RocksDB would add a native
    // write and, for every batch sent, a delete that stays in its memtable until compaction.
    // Written behind: only the events still held when a transaction commits reach the changelog
    // (once each, and a tombstone once sent); an event held and sent between two commits — the
    // common case, as a session's next tier-1 event sends its batch — writes nothing at all.
    StoreBuilder<KeyValueStore<String, byte[]>> batchStore =
        WriteBehindStore.builder(
            Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(BATCH_STORE), Serdes.String(), Serdes.ByteArray()));
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, EventEnvelope, String, byte[]> get() {
        return new LiveFeedProcessor(
            settings.batchWindow(),
            settings.batchMaxBytes().toBytes(),
            cutter,
            codec,
            envelopeBytes);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(batchStore);
      }
    };
  }
}
