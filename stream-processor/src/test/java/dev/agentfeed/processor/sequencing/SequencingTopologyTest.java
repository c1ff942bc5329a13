package dev.agentfeed.processor.sequencing;

import static dev.agentfeed.processor.sequencing.TestEvents.T0;
import static dev.agentfeed.processor.sequencing.TestEvents.toolCompleted;
import static dev.agentfeed.processor.sequencing.TestEvents.toolFailed;
import static dev.agentfeed.processor.sequencing.TestEvents.toolStarted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventSerde;
import dev.agentfeed.model.Ids;
import dev.agentfeed.model.Tier;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Drives the topology the application wires: the Spring context is started without starting Kafka
 * Streams, and the driver gets the builder's topology and the application's Streams configuration
 * (exactly-once, dead-letter handler), with a state directory of its own.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "spring.config.name=stream-processor",
      "spring.kafka.streams.auto-startup=false",
      "agentfeed.topics.create=false"
    })
class SequencingTopologyTest {

  private static final String ORG_A = "org-a";
  private static final String ORG_B = "org-b";
  private static final String SESSION_1 = "ses-1";
  private static final String SESSION_2 = "ses-2";

  @Autowired private StreamsBuilderFactoryBean streams;
  @Autowired private StreamsBuilder builder;
  @Autowired private Topics topics;
  @Autowired private ProcessorProperties settings;

  @TempDir private Path stateDir;

  private Topology topology;
  private TopologyTestDriver driver;
  private TestInputTopic<String, EventEnvelope> raw;
  private TestInputTopic<String, byte[]> rawBytes;
  private TestOutputTopic<String, EventEnvelope> enriched;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void startDriver() {
    startDriver(streams.getStreamsConfiguration());
  }

  private void startDriver(Properties config) {
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    topology = builder.build(config);
    driver = new TopologyTestDriver(topology, config, T0);
    EventSerde serde = new EventSerde();
    raw =
        driver.createInputTopic(
            topics.raw(), new StringSerializer(), serde.serializer(), T0, Duration.ofSeconds(1));
    rawBytes =
        driver.createInputTopic(topics.raw(), new StringSerializer(), new ByteArraySerializer());
    enriched =
        driver.createOutputTopic(topics.enriched(), new StringDeserializer(), serde.deserializer());
    deadLetters =
        driver.createOutputTopic(
            topics.deadLetters(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldNumberEverySessionFromOneInArrivalOrder() {
    EventEnvelope a1 = toolStarted(ORG_A, SESSION_1, "e1");
    EventEnvelope b1 = toolStarted(ORG_A, SESSION_2, "e2");
    EventEnvelope a2 = toolCompleted(ORG_A, SESSION_1, "e3", true);
    EventEnvelope a3 = toolStarted(ORG_A, SESSION_1, "e4");
    EventEnvelope b2 = toolCompleted(ORG_A, SESSION_2, "e5", true);

    pipe(a1, b1, a2, a3, b2);

    assertThat(enriched.readKeyValuesToList())
        .containsExactly(
            sequenced(a1, 1, Tier.BATCHED),
            sequenced(b1, 1, Tier.BATCHED),
            sequenced(a2, 2, Tier.BATCHED),
            sequenced(a3, 3, Tier.BATCHED),
            sequenced(b2, 2, Tier.BATCHED));
  }

  @Test
  void shouldDropEventWithSameOrgSessionAndIdAsEarlierEvent() {
    EventEnvelope first = toolStarted(ORG_A, SESSION_1, "e1");
    EventEnvelope second = toolStarted(ORG_A, SESSION_1, "e2");
    EventEnvelope retry = toolStarted(ORG_A, SESSION_1, "e1");
    EventEnvelope third = toolStarted(ORG_A, SESSION_1, "e3");

    pipe(first, second, retry, third);

    assertThat(enriched.readKeyValuesToList())
        .containsExactly(
            sequenced(first, 1, Tier.BATCHED),
            sequenced(second, 2, Tier.BATCHED),
            sequenced(third, 3, Tier.BATCHED));
  }

  @Test
  void shouldCountDroppedDuplicatesInStreamsMetrics() {
    EventEnvelope event = toolStarted(ORG_A, SESSION_1, "e1");

    pipe(event, event, event);

    assertThat(metricTotal(SequencingProcessor.DUPLICATES_DROPPED)).isEqualTo(2.0);
  }

  @Test
  void shouldSequenceSameSessionIdOfTwoOrgsIndependently() {
    EventEnvelope orgA1 = toolStarted(ORG_A, SESSION_1, "e1");
    EventEnvelope orgB1 = toolStarted(ORG_B, SESSION_1, "e1");
    EventEnvelope orgA2 = toolStarted(ORG_A, SESSION_1, "e2");
    EventEnvelope orgB2 = toolStarted(ORG_B, SESSION_1, "e2");

    pipe(orgA1, orgB1, orgA2, orgB2);

    assertThat(enriched.readKeyValuesToList())
        .containsExactly(
            sequenced(orgA1, 1, Tier.BATCHED),
            sequenced(orgB1, 1, Tier.BATCHED),
            sequenced(orgA2, 2, Tier.BATCHED),
            sequenced(orgB2, 2, Tier.BATCHED));
  }

  @Test
  void shouldSetTierFromTypeAndOutcome() {
    EventEnvelope started = toolStarted(ORG_A, SESSION_1, "e1");
    EventEnvelope succeeded = toolCompleted(ORG_A, SESSION_1, "e2", true);
    EventEnvelope unsuccessful = toolCompleted(ORG_A, SESSION_1, "e3", false);
    EventEnvelope failed = toolFailed(ORG_A, SESSION_1, "e4");

    pipe(started, succeeded, unsuccessful, failed);

    assertThat(enriched.readKeyValuesToList())
        .containsExactly(
            sequenced(started, 1, Tier.BATCHED),
            sequenced(succeeded, 2, Tier.BATCHED),
            sequenced(unsuccessful, 3, Tier.IMMEDIATE),
            sequenced(failed, 4, Tier.IMMEDIATE));
  }

  @Test
  void shouldDropDuplicateArrivingJustUnderTheRetentionLater() {
    Duration retention = settings.dedupeRetention();
    EventEnvelope first = toolStarted(ORG_A, SESSION_1, "e1");
    EventEnvelope later = toolStarted(ORG_A, SESSION_1, "e2");

    raw.pipeInput(SESSION_1, first, T0);
    raw.pipeInput(SESSION_1, later, T0.plus(retention).minusMillis(1));
    raw.pipeInput(SESSION_1, first, T0.plus(retention).minusMillis(1));

    assertThat(enriched.readKeyValuesToList())
        .containsExactly(sequenced(first, 1, Tier.BATCHED), sequenced(later, 2, Tier.BATCHED));
  }

  /**
   * Retention is measured in record time: once the session's partition has seen a record one full
   * retention after the first copy, the id is forgotten and a copy is a new event.
   */
  @Test
  void shouldAcceptDuplicateOnceTheRetentionHasPassed() {
    Duration retention = settings.dedupeRetention();
    EventEnvelope first = toolStarted(ORG_A, SESSION_1, "e1");
    EventEnvelope later = toolStarted(ORG_A, SESSION_1, "e2");

    raw.pipeInput(SESSION_1, first, T0);
    raw.pipeInput(SESSION_1, later, T0.plus(retention));
    raw.pipeInput(SESSION_1, first, T0.plus(retention));

    assertThat(enriched.readKeyValuesToList())
        .containsExactly(
            sequenced(first, 1, Tier.BATCHED),
            sequenced(later, 2, Tier.BATCHED),
            sequenced(first, 3, Tier.BATCHED));
  }

  @Test
  void shouldDropDuplicateWhoseFirstCopyIsJustUnderTheRetentionLater() {
    Duration retention = settings.dedupeRetention();
    EventEnvelope first = toolStarted(ORG_A, SESSION_1, "e1");
    EventEnvelope later = toolStarted(ORG_A, SESSION_1, "e2");

    raw.pipeInput(SESSION_1, first, T0.plus(retention).minusMillis(1));
    raw.pipeInput(SESSION_1, later, T0.plus(retention));
    raw.pipeInput(SESSION_1, first, T0);

    assertThat(enriched.readKeyValuesToList())
        .containsExactly(sequenced(first, 1, Tier.BATCHED), sequenced(later, 2, Tier.BATCHED));
  }

  @Test
  void shouldAcceptCopyWhoseFirstCopyIsAFullRetentionLater() {
    Duration retention = settings.dedupeRetention();
    EventEnvelope first = toolStarted(ORG_A, SESSION_1, "e1");

    raw.pipeInput(SESSION_1, first, T0.plus(retention));
    raw.pipeInput(SESSION_1, first, T0);

    assertThat(enriched.readKeyValuesToList())
        .containsExactly(sequenced(first, 1, Tier.BATCHED), sequenced(first, 2, Tier.BATCHED));
  }

  /**
   * Runs at-least-once: under exactly-once the test driver (4.2) discards dead-letter records,
   * which it receives outside a transaction and clears before it commits. The real broker test
   * covers the dead-letter topic under exactly-once.
   */
  @Test
  void shouldSendUndeserializableRecordToDeadLetterTopicAndKeepProcessing() {
    driver.close();
    Properties config = streams.getStreamsConfiguration();
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    startDriver(config);
    EventEnvelope before = toolStarted(ORG_A, SESSION_1, "e1");
    EventEnvelope after = toolStarted(ORG_A, SESSION_1, "e2");
    byte[] poison = "{\"id\":\"e9\",\"type\":\"no.such-type\"}".getBytes(StandardCharsets.UTF_8);

    raw.pipeInput(SESSION_1, before, T0);
    rawBytes.pipeInput(SESSION_1, poison, T0);
    raw.pipeInput(SESSION_1, after, T0);

    assertThat(enriched.readKeyValuesToList())
        .containsExactly(sequenced(before, 1, Tier.BATCHED), sequenced(after, 2, Tier.BATCHED));
    List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo(SESSION_1);
    assertThat(dead.get(0).value()).isEqualTo(poison);
    assertThat(errorHeaders(dead.get(0)))
        .isEqualTo(
            Map.of(
                "__streams.errors.exception",
                "org.apache.kafka.common.errors.SerializationException",
                "__streams.errors.message",
                "not an agentfeed envelope on " + topics.raw(),
                "__streams.errors.topic",
                topics.raw(),
                "__streams.errors.partition",
                "0",
                "__streams.errors.offset",
                "1"));
  }

  /** At-least-once for the reason given above. */
  @Test
  void shouldSendEventKeyedByAnotherSessionToDeadLetterTopicWithReasonAndOrigin() {
    driver.close();
    Properties config = streams.getStreamsConfiguration();
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    startDriver(config);
    EventEnvelope before = toolStarted(ORG_A, SESSION_1, "e1");
    EventEnvelope misKeyed = toolStarted(ORG_A, SESSION_2, "e2");
    EventEnvelope after = toolStarted(ORG_A, SESSION_1, "e3");

    raw.pipeInput(SESSION_1, before, T0);
    raw.pipeInput(SESSION_1, misKeyed, T0);
    raw.pipeInput(SESSION_1, after, T0);

    assertThat(enriched.readKeyValuesToList())
        .containsExactly(sequenced(before, 1, Tier.BATCHED), sequenced(after, 2, Tier.BATCHED));
    List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo(SESSION_1);
    assertThat(dead.get(0).value())
        .isEqualTo(new EventSerde().serializer().serialize(topics.raw(), misKeyed));
    assertThat(errorHeaders(dead.get(0)))
        .isEqualTo(
            Map.of(
                "__streams.errors.exception",
                UnprocessableEventException.class.getName(),
                "__streams.errors.message",
                "raw record key ses-1 is not the event's sessionId ses-2: the raw topic must be"
                    + " keyed by sessionId",
                "__streams.errors.topic",
                topics.raw(),
                "__streams.errors.partition",
                "0",
                "__streams.errors.offset",
                "1"));
  }

  @Test
  void shouldSendEventWithIdTheContractForbidsToDeadLetterTopic() {
    driver.close();
    Properties config = streams.getStreamsConfiguration();
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    startDriver(config);

    raw.pipeInput(SESSION_1, toolStarted(ORG_A, SESSION_1, "e/1"), T0);

    assertThat(enriched.readKeyValuesToList()).isEmpty();
    assertThat(errorHeaders(deadLetters.readRecordsToList().get(0)))
        .containsEntry(
            "__streams.errors.message",
            "event id, orgId or sessionId does not match " + Ids.PATTERN_TEXT + ": e/1");
  }

  @Test
  void shouldNeverTimestampAnEventBeforeItsSessionsFirstEvent() {
    raw.pipeInput(SESSION_1, toolStarted(ORG_A, SESSION_1, "e1"), T0.plusSeconds(10));
    raw.pipeInput(SESSION_1, toolStarted(ORG_A, SESSION_1, "e2"), T0);
    raw.pipeInput(SESSION_1, toolStarted(ORG_A, SESSION_1, "e3"), T0.plusSeconds(20));

    assertThat(enriched.readRecordsToList().stream().map(TestRecord::getRecordTime).toList())
        .containsExactly(T0.plusSeconds(10), T0.plusSeconds(10), T0.plusSeconds(20));
  }

  @Test
  void shouldSkipRecordWithoutValueAndKeepSequencing() {
    EventEnvelope before = toolStarted(ORG_A, SESSION_1, "e1");
    EventEnvelope after = toolStarted(ORG_A, SESSION_1, "e2");

    raw.pipeInput(SESSION_1, before);
    raw.pipeInput(SESSION_1, null);
    raw.pipeInput(SESSION_1, after);

    assertThat(enriched.readKeyValuesToList())
        .containsExactly(sequenced(before, 1, Tier.BATCHED), sequenced(after, 2, Tier.BATCHED));
    assertThat(metricTotal(SequencingProcessor.TOMBSTONES_SKIPPED)).isEqualTo(1.0);
  }

  private void pipe(EventEnvelope... events) {
    for (EventEnvelope event : events) {
      raw.pipeInput(event.sessionId(), event);
    }
  }

  private static KeyValue<String, EventEnvelope> sequenced(
      EventEnvelope event, long seq, Tier tier) {
    return KeyValue.pair(event.sessionId(), event.withSeq(seq).withTier(tier));
  }

  private double metricTotal(String operation) {
    return driver.metrics().entrySet().stream()
        .filter(m -> m.getKey().group().equals("stream-agentfeed-sequencing-metrics"))
        .filter(m -> m.getKey().name().equals(operation + "-total"))
        .mapToDouble(m -> (Double) m.getValue().metricValue())
        .sum();
  }

  private static Map<String, String> errorHeaders(TestRecord<byte[], byte[]> record) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header header : record.headers()) {
      if (!header.key().equals("__streams.errors.stacktrace")) {
        headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
      }
    }
    return headers;
  }
}
