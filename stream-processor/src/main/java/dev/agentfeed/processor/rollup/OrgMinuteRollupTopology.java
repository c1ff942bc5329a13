package dev.agentfeed.processor.rollup;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventSerde;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import dev.agentfeed.processor.streams.JsonSerde;
import java.time.Duration;
import java.util.List;
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
import org.apache.kafka.streams.state.WindowStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the enriched events (key sessionId), re-keys them by orgId (through the repartition topic
 * {@code <application-id>-org-minute-by-org-repartition}, carrying the events without the parts of
 * {@code data} the counts do not need) and counts them in tumbling one-minute windows of record
 * time with a grace period ({@code agentfeed.processor.rollup-grace}). Each minute is written once,
 * when it is final, to {@code stats.org-minute}: key orgId (a plain string), value {@link
 * OrgMinute} as JSON with the window's start and end, so any Kafka client can read it without a
 * windowed serde.
 *
 * <p>"Final" is in stream time of the repartition partition holding the org: a minute is written
 * when a later event on that partition is at least the grace past the minute's end.
 */
public final class OrgMinuteRollupTopology {

  public static final String BY_ORG = "org-minute-by-org";
  public static final String SLIM = "org-minute-slim";
  public static final String REKEY = "org-minute-rekey";
  public static final String AGGREGATE = "org-minute-aggregate";
  public static final String SUPPRESS = "org-minute-final";
  public static final String TO_STREAM = "org-minute-to-stream";
  public static final String UNWINDOW = "org-minute-unwindow";
  public static final String SINK = "org-minute-out";

  /** The counts of the open minutes, per org. */
  public static final String WINDOW_STORE = "org-minute-store";

  static final Duration MINUTE = Duration.ofMinutes(1);

  /**
   * What {@link MinuteTally} reads of {@code data}; the rest stays out of the repartition topic.
   */
  private static final List<String> COUNTED_FIELDS =
      List.of("success", "path", "linesAdded", "linesRemoved");

  private OrgMinuteRollupTopology() {}

  /** Adds the rollup branch after {@code enriched}. */
  public static void build(
      KStream<String, EventEnvelope> enriched, Topics topics, ProcessorProperties settings) {
    JsonSerde<MinuteTally> tallySerde = new JsonSerde<>(MinuteTally.class);
    enriched
        .mapValues(OrgMinuteRollupTopology::slim, Named.as(SLIM))
        .selectKey((sessionId, event) -> event.orgId(), Named.as(REKEY))
        .groupByKey(Grouped.with(BY_ORG, Serdes.String(), new EventSerde()))
        .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, settings.rollupGrace()))
        .aggregate(
            MinuteTally::new,
            (orgId, event, tally) -> tally.add(event),
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

  /** The event with only the fields the counts read, so diffs and texts are not copied. */
  private static EventEnvelope slim(EventEnvelope event) {
    ObjectNode data = event.data().objectNode();
    for (String field : COUNTED_FIELDS) {
      JsonNode value = event.data().get(field);
      if (value != null) {
        data.set(field, value);
      }
    }
    return event.withData(data);
  }
}
