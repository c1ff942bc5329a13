package dev.agentfeed.processor.testing;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventSerde;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.LiveBatch;
import dev.agentfeed.model.LiveRecord;
import dev.agentfeed.model.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The application's own topology and Streams configuration (exactly-once) in a {@link
 * TopologyTestDriver}, with a state directory of its own: raw events in, every output topic out.
 * Records get the time {@link #T0} unless a test gives one; the wall clock starts at {@link #T0}.
 */
public final class TestPipeline implements AutoCloseable {

  public static final Instant T0 = Instant.parse("2026-01-30T12:00:00Z");

  private static final EventCodec CODEC = new EventCodec();

  private final Topology topology;
  private final TopologyTestDriver driver;
  private final TestInputTopic<String, EventEnvelope> raw;
  private final TestOutputTopic<String, EventEnvelope> enriched;
  private final TestOutputTopic<String, byte[]> feedLive;
  private final TestOutputTopic<String, String> sessionsStats;
  private final TestOutputTopic<String, String> orgMinutes;

  public TestPipeline(
      StreamsBuilderFactoryBean streams, StreamsBuilder builder, Topics topics, Path stateDir) {
    Properties config = streams.getStreamsConfiguration();
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    topology = builder.build(config);
    driver = new TopologyTestDriver(topology, config, T0);
    EventSerde serde = new EventSerde();
    raw =
        driver.createInputTopic(
            topics.raw(), new StringSerializer(), serde.serializer(), T0, Duration.ZERO);
    enriched =
        driver.createOutputTopic(topics.enriched(), new StringDeserializer(), serde.deserializer());
    feedLive =
        driver.createOutputTopic(
            topics.feedLive(), new StringDeserializer(), new ByteArrayDeserializer());
    sessionsStats =
        driver.createOutputTopic(
            topics.sessionsStats(), new StringDeserializer(), new StringDeserializer());
    orgMinutes =
        driver.createOutputTopic(
            topics.statsOrgMinute(), new StringDeserializer(), new StringDeserializer());
  }

  public Topology topology() {
    return topology;
  }

  public TopologyTestDriver driver() {
    return driver;
  }

  /** Pipes the events at record time {@link #T0}. */
  public void pipe(EventEnvelope... events) {
    for (EventEnvelope event : events) {
      raw.pipeInput(event.sessionId(), event);
    }
  }

  public void pipeAt(Instant recordTime, EventEnvelope event) {
    raw.pipeInput(event.sessionId(), event, recordTime);
  }

  public void advanceWallClock(Duration duration) {
    driver.advanceWallClockTime(duration);
  }

  public List<EventEnvelope> enriched() {
    return enriched.readValuesToList();
  }

  /** The records of {@code feed.live} as {@link EventCodec#readLive} reads them. */
  public List<LiveRecord> feedLive() {
    return feedLive.readValuesToList().stream().map(CODEC::readLive).toList();
  }

  /** The records of {@code feed.live} with key, value and record timestamp. */
  public List<TestRecord<String, byte[]>> feedLiveRecords() {
    return feedLive.readRecordsToList();
  }

  /** The events of {@code feed.live}, batches opened, each as "id seq" or "[batch]" markers. */
  public static List<String> describe(List<LiveRecord> live) {
    List<String> lines = new ArrayList<>();
    for (LiveRecord record : live) {
      if (record instanceof LiveBatch batch) {
        lines.add(
            "batch "
                + batch.firstSeq()
                + ".."
                + batch.lastSeq()
                + " "
                + batch.events().stream().map(e -> e.id() + ":" + e.seq()).toList());
      } else if (record instanceof EventEnvelope event) {
        lines.add("event " + event.id() + ":" + event.seq());
      }
    }
    return lines;
  }

  public static EventCodec codec() {
    return CODEC;
  }

  /** The records of {@code sessions.stats}, values as JSON trees. */
  public List<KeyValue<String, JsonNode>> sessionsStats() {
    return json(sessionsStats.readKeyValuesToList());
  }

  /** The records of {@code stats.org-minute}, values as JSON trees. */
  public List<KeyValue<String, JsonNode>> orgMinutes() {
    return json(orgMinutes.readKeyValuesToList());
  }

  @Override
  public void close() {
    driver.close();
  }

  /**
   * A raw event as ingest writes it: no seq, no tier, {@code receivedAt} set; data single-quoted
   * JSON.
   */
  public static EventEnvelope event(
      String org, String session, String id, EventType type, String data) {
    return event(org, session, id, type, T0, data);
  }

  public static EventEnvelope event(
      String org, String session, String id, EventType type, Instant ts, String data) {
    return new EventEnvelope(
        id, type, org, session, "executor", "sandbox/sbx-1", ts, data(data), ts, null, null);
  }

  /** JSON written with single quotes, for readable expectations in tests. */
  public static JsonNode json(String singleQuoted) {
    return CODEC.mapper().readTree(singleQuoted.replace('\'', '"'));
  }

  /** An object node from single-quoted JSON. */
  public static ObjectNode data(String singleQuoted) {
    return (ObjectNode) json(singleQuoted);
  }

  private static List<KeyValue<String, JsonNode>> json(List<KeyValue<String, String>> records) {
    return records.stream()
        .map(r -> KeyValue.pair(r.key, r.value == null ? null : CODEC.mapper().readTree(r.value)))
        .toList();
  }
}
