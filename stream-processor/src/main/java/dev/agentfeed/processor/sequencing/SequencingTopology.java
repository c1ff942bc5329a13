package dev.agentfeed.processor.sequencing;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventSerde;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Reads {@code events.raw} (key sessionId, value the envelope as ingest accepted it), drops events
 * already seen, and gives every other event the next {@code seq} of its session (gap-free from 1,
 * per orgId and sessionId) and its tier; the result, still keyed by sessionId, goes on to the
 * enrichment steps and then to {@code events.enriched} and {@code feed.live} (see {@code
 * PipelineTopology}). Records whose value is not an envelope never reach this topology: the
 * deserialization handler sends them to {@code events.dlq}.
 *
 * <p>The stores live in the task of the raw partition, so the raw topic must be keyed by sessionId
 * (the wire contract): every event of a session then meets the same {@code session-seq-store}. A
 * record keyed otherwise, or with ids the contract does not allow, is refused with an {@link
 * UnprocessableEventException}, which the processing exception handler sends to {@code events.dlq}.
 *
 * <p>Every event leaves with a record timestamp no earlier than its session's first event's (kept
 * in {@code session-start-store}), so the session's {@code firstRecordAt} in {@code sessions.stats}
 * is a lower bound for all its records: readers find its history with {@code offsetsForTimes}.
 */
public final class SequencingTopology {

  public static final String SOURCE = "raw-events";
  public static final String SEQUENCER = "sequencer";

  /** Event ids seen recently, {@code orgId/sessionId/id} to the seq it got, windowed by time. */
  public static final String DEDUPE_STORE = "dedupe-store";

  /** The last seq given per session, {@code SessionRef.key()} to seq. */
  public static final String SESSION_SEQ_STORE = "session-seq-store";

  /** The record timestamp of each session's first event, {@code SessionRef.key()} to epoch ms. */
  public static final String SESSION_START_STORE = "session-start-store";

  private SequencingTopology() {}

  /**
   * Adds the source and the sequencer to {@code builder}.
   *
   * @return the sequenced stream, keyed by sessionId, in each session's seq order
   */
  public static KStream<String, EventEnvelope> build(
      StreamsBuilder builder, Topics topics, ProcessorProperties settings) {
    Serde<String> keySerde = Serdes.String();
    Serde<EventEnvelope> eventSerde = new EventSerde();

    return builder.stream(topics.raw(), Consumed.with(keySerde, eventSerde).withName(SOURCE))
        .process(sequencer(settings.dedupeRetention()), Named.as(SEQUENCER));
  }

  private static ProcessorSupplier<String, EventEnvelope, String, EventEnvelope> sequencer(
      Duration dedupeRetention) {
    StoreBuilder<WindowStore<String, Long>> dedupeStore =
        Stores.windowStoreBuilder(
            // The window size only matters to the store's layout: every entry is a point in time.
            Stores.persistentWindowStore(DEDUPE_STORE, dedupeRetention, dedupeRetention, false),
            Serdes.String(),
            Serdes.Long());
    // Cached: a session's events within one commit interval write its seq to RocksDB and the
    // changelog once, at the commit; reads of the latest seq are served from the cache.
    StoreBuilder<KeyValueStore<String, Long>> seqStore =
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SESSION_SEQ_STORE), Serdes.String(), Serdes.Long())
            .withCachingEnabled();

    // Cached: read for every event, written once per session; the cache answers from memory
    // instead of a RocksDB read per event.
    StoreBuilder<KeyValueStore<String, Long>> startStore =
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SESSION_START_STORE), Serdes.String(), Serdes.Long())
            .withCachingEnabled();

    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, EventEnvelope, String, EventEnvelope> get() {
        return new SequencingProcessor(dedupeRetention);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(dedupeStore, seqStore, startStore);
      }
    };
  }
}
