package dev.agentfeed.processor.stats;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import dev.agentfeed.processor.streams.JsonSerde;
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
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the enriched events (key sessionId) and writes each session's latest {@link SessionStats}
 * to the compacted {@code sessions.stats}, key {@code SessionRef.key()} ({@code orgId/sessionId}),
 * value JSON, at most once per {@code agentfeed.processor.stats-interval} (wall clock) for each
 * session that changed. The tally store lives in the task of the session's partition, keyed the
 * same way, so no repartitioning is needed even though the output key differs.
 */
public final class SessionStatsTopology {

  public static final String COUNTER = "session-stats";
  public static final String SINK = "session-stats-out";

  /** Each session's tally, {@code orgId/sessionId} to the counts. */
  public static final String STATS_STORE = "session-stats-store";

  /**
   * Tallies are written once per event: instants as numbers are several times cheaper to write and
   * read than ISO-8601 text, and the store is the processor's own (the published stats keep ISO).
   * Tallies stored as text read back as well.
   */
  private static final JsonMapper TALLY_MAPPER =
      new EventCodec().mapper().rebuild().enable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS).build();

  private SessionStatsTopology() {}

  /** Adds the stats branch after {@code enriched}. */
  public static void build(
      KStream<String, EventEnvelope> enriched, Topics topics, ProcessorProperties settings) {
    enriched
        .process(counter(settings), Named.as(COUNTER))
        .to(
            topics.sessionsStats(),
            Produced.with(Serdes.String(), new JsonSerde<>(SessionStats.class)).withName(SINK));
  }

  private static ProcessorSupplier<String, EventEnvelope, String, SessionStats> counter(
      ProcessorProperties settings) {
    // Write-behind: a session's many events within one commit interval serialise its tally, which
    // grows with the session (tool durations, phases, files), and write its changelog once.
    StoreBuilder<KeyValueStore<String, SessionTally>> statsStore =
        WriteBehindStore.builder(
            Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STATS_STORE),
                Serdes.String(),
                new JsonSerde<>(SessionTally.class, TALLY_MAPPER)));
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, EventEnvelope, String, SessionStats> get() {
        return new SessionStatsProcessor(
            settings.statsInterval(), settings.idleAfter(), settings.statsRetention());
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(statsStore);
      }
    };
  }
}
