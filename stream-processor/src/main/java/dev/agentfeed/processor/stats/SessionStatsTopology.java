package dev.agentfeed.processor.stats;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.streams.JsonSerde;
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
 * Reads the enriched events (key sessionId) and writes each session's latest {@link SessionStats}
 * to the compacted {@code sessions.stats}, key {@code SessionRef.key()} ({@code orgId/sessionId}),
 * value JSON, once per event. The tally store lives in the task of the session's partition, keyed
 * the same way, so no repartitioning is needed even though the output key differs.
 */
public final class SessionStatsTopology {

  public static final String COUNTER = "session-stats";
  public static final String SINK = "session-stats-out";

  /** Each session's tally, {@code orgId/sessionId} to the counts. */
  public static final String STATS_STORE = "session-stats-store";

  private SessionStatsTopology() {}

  /** Adds the stats branch after {@code enriched}. */
  public static void build(KStream<String, EventEnvelope> enriched, Topics topics) {
    enriched
        .process(counter(), Named.as(COUNTER))
        .to(
            topics.sessionsStats(),
            Produced.with(Serdes.String(), new JsonSerde<>(SessionStats.class)).withName(SINK));
  }

  private static ProcessorSupplier<String, EventEnvelope, String, SessionStats> counter() {
    StoreBuilder<KeyValueStore<String, SessionTally>> statsStore =
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(STATS_STORE),
            Serdes.String(),
            new JsonSerde<>(SessionTally.class));
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, EventEnvelope, String, SessionStats> get() {
        return new SessionStatsProcessor();
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(statsStore);
      }
    };
  }
}
