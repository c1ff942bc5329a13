package dev.agentfeed.processor.rollup;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import dev.agentfeed.processor.streams.JsonSerde;
import dev.agentfeed.processor.streams.WriteBehindStore;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.Suppressed.BufferConfig;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Reads the enriched events (key sessionId), counts them per org and minute of record time in each
 * task ({@link OrgMinutePartials}), sends the partial counts, keyed by orgId, through the
 * repartition topic {@code <application-id>-org-minute-partials-repartition} every {@code
 * agentfeed.processor.rollup-flush}, and adds them up per org in tumbling one-minute windows of
 * record time with a grace period ({@code agentfeed.processor.rollup-grace}). Each minute is
 * written once, when it is final, to {@code stats.org-minute}: key orgId (a plain string), value
 * {@link OrgMinute} as JSON with the window's start and end, so any Kafka client can read it
 * without a windowed serde.
 *
 * <p>"Final" is in stream time of the repartition partition holding the org: a minute is written
 * when a partial count on that partition is timestamped at least the grace past the minute's end. A
 * partial count carries the timestamp of the latest event it counts, so a late event is judged at
 * the flush that sends it, not when it is read: its minute still counts it if no partial count sent
 * before it had moved the stream past the grace.
 */
public final class OrgMinuteRollupTopology {

  public static final String PARTIALS = "org-minute-partials";
  public static final String AGGREGATE = "org-minute-aggregate";
  public static final String SUPPRESS = "org-minute-final";
  public static final String TO_STREAM = "org-minute-to-stream";
  public static final String UNWINDOW = "org-minute-unwindow";
  public static final String SINK = "org-minute-out";

  /** Each task's partial counts not yet sent on, {@code <minute start>/orgId}. */
  public static final String PARTIALS_STORE = "org-minute-partials-store";

  /** The counts of the open minutes, per org. */
  public static final String WINDOW_STORE = "org-minute-store";

  static final Duration MINUTE = Duration.ofMinutes(1);

  private OrgMinuteRollupTopology() {}

  /** Adds the rollup branch after {@code enriched}. */
  public static void build(
      KStream<String, EventEnvelope> enriched, Topics topics, ProcessorProperties settings) {
    JsonSerde<MinuteTally> tallySerde = new JsonSerde<>(MinuteTally.class);
    enriched
        .process(partials(settings, tallySerde), Named.as(PARTIALS))
        .groupByKey(Grouped.with(PARTIALS, Serdes.String(), tallySerde))
        .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, settings.rollupGrace()))
        .aggregate(
            MinuteTally::new,
            (orgId, partial, tally) -> tally.merge(partial),
            Named.as(AGGREGATE),
            Materialized.<String, MinuteTally, WindowStore<Bytes, byte[]>>as(WINDOW_STORE)
                .withKeySerde(Serdes.String())
                .withValueSerde(tallySerde))
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName(SUPPRESS))
        .toStream(Named.as(TO_STREAM))
        .map(
            (window, tally) ->
                KeyValue.pair(
                    window.key(),
                    tally.view(
                        window.key(), window.window().startTime(), window.window().endTime())),
            Named.as(UNWINDOW))
        .to(
            topics.statsOrgMinute(),
            Produced.with(Serdes.String(), new JsonSerde<>(OrgMinute.class)).withName(SINK));
  }

  private static ProcessorSupplier<String, EventEnvelope, String, MinuteTally> partials(
      ProcessorProperties settings, JsonSerde<MinuteTally> tallySerde) {
    // In memory (it holds at most the minutes of one flush interval per org), backed by its
    // changelog, and write-behind: each partial count is changed by every event of its org.
    StoreBuilder<KeyValueStore<String, MinuteTally>> partialsStore =
        WriteBehindStore.builder(
            Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(PARTIALS_STORE), Serdes.String(), tallySerde));
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, EventEnvelope, String, MinuteTally> get() {
        return new OrgMinutePartials(settings.rollupFlush());
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(partialsStore);
      }
    };
  }
}
