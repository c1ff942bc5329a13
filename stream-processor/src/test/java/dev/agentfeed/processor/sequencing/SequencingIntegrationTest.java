package dev.agentfeed.processor.sequencing;

import static dev.agentfeed.processor.sequencing.TestEvents.toolCompleted;
import static dev.agentfeed.processor.sequencing.TestEvents.toolFailed;
import static dev.agentfeed.processor.sequencing.TestEvents.toolStarted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventSerde;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.LiveBatch;
import dev.agentfeed.model.LiveRecord;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.StreamProcessorApplication;
import dev.agentfeed.testing.KafkaTestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The application as it runs: started with {@link StreamProcessorApplication#application()} against
 * one in-process broker, exactly-once, creating its own topics. Raw events go in with a plain
 * producer, the outputs come back through {@code read_committed} consumers. Each test uses sessions
 * of its own, since the broker and the application are shared by the class.
 */
class SequencingIntegrationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final Topics TOPICS = Topics.withDefaultPrefix();
  private static final EventSerde SERDE = new EventSerde();
  private static final EventCodec CODEC = new EventCodec();
  private static final JsonMapper JSON = CODEC.mapper();

  @TempDir private static Path stateDir;

  private static EmbeddedKafkaBroker broker;
  private static ConfigurableApplicationContext app;
  private static KafkaProducer<String, byte[]> producer;

  @BeforeAll
  static void startBrokerAndApplication() {
    broker = KafkaTestBroker.start(3);
    app =
        StreamProcessorApplication.application()
            .run(
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                "--spring.kafka.streams.state-dir=" + stateDir,
                "--server.port=0",
                "--agentfeed.topics.partitions=3");
    producer = KafkaTestBroker.producer(broker);
  }

  @AfterAll
  static void stopAll() {
    if (producer != null) {
      producer.close();
    }
    if (app != null) {
      app.close();
    }
    if (broker != null) {
      broker.destroy();
    }
  }

  @Test
  void shouldWriteEveryRawEventOnceWithItsSessionSeqToEnrichedAndFeedLive() {
    List<EventEnvelope> raw = new ArrayList<>();
    for (int i = 1; i <= 25; i++) {
      raw.add(toolStarted("org-a", "ses-flow-1", "a" + i));
      raw.add(
          i % 5 == 0
              ? toolFailed("org-b", "ses-flow-2", "b" + i)
              : toolCompleted("org-b", "ses-flow-2", "b" + i, true));
      if (i == 10) {
        raw.add(toolStarted("org-a", "ses-flow-1", "a3"));
      }
    }
    raw.forEach(this::produce);
    producer.flush();

    Map<String, List<String>> expected = new LinkedHashMap<>();
    expected.put("org-a/ses-flow-1", sequence("ses-flow-1", "a", 25));
    expected.put("org-b/ses-flow-2", sequence("ses-flow-2", "b", 25));
    Set<String> sessions = Set.of("ses-flow-1", "ses-flow-2");

    assertThat(bySession(readUntil(TOPICS.enriched(), sessions, 50))).isEqualTo(expected);
    assertThat(bySession(readLiveUntil(sessions, 50))).isEqualTo(expected);
  }

  @Test
  void shouldSendUndeserializableRecordToDeadLetterTopicAndGoOn() {
    byte[] poison = "not an envelope".getBytes(StandardCharsets.UTF_8);
    produce(toolStarted("org-a", "ses-dlq", "d1"));
    producer.send(new ProducerRecord<>(TOPICS.raw(), "ses-dlq", poison));
    produce(toolStarted("org-a", "ses-dlq", "d2"));
    producer.flush();

    List<ConsumerRecord<byte[], byte[]>> dead =
        readUntil(
            TOPICS.deadLetters(),
            record -> new String(record.key(), StandardCharsets.UTF_8).equals("ses-dlq"),
            1,
            new ByteArrayDeserializer());
    assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("ses-dlq");
    assertThat(dead.get(0).value()).isEqualTo(poison);
    assertThat(
            Map.of(
                "exception", header(dead.get(0), "__streams.errors.exception"),
                "message", header(dead.get(0), "__streams.errors.message"),
                "topic", header(dead.get(0), "__streams.errors.topic")))
        .isEqualTo(
            Map.of(
                "exception",
                "org.apache.kafka.common.errors.SerializationException",
                "message",
                "not an agentfeed envelope on " + TOPICS.raw(),
                "topic",
                TOPICS.raw()));
    assertThat(bySession(readUntil(TOPICS.enriched(), Set.of("ses-dlq"), 2)))
        .isEqualTo(Map.of("org-a/ses-dlq", List.of("ses-dlq|d1|1", "ses-dlq|d2|2")));
  }

  @Test
  void shouldSendRecordAProcessorRefusesToDeadLetterTopicAndGoOn() {
    EventEnvelope misKeyed = toolStarted("org-a", "ses-other", "p2");
    produce(toolStarted("org-a", "ses-refused", "p1"));
    producer.send(
        new ProducerRecord<>(
            TOPICS.raw(), "ses-refused", SERDE.serializer().serialize(TOPICS.raw(), misKeyed)));
    produce(toolStarted("org-a", "ses-refused", "p3"));
    producer.flush();

    List<ConsumerRecord<byte[], byte[]>> dead =
        readUntil(
            TOPICS.deadLetters(),
            record -> new String(record.key(), StandardCharsets.UTF_8).equals("ses-refused"),
            1,
            new ByteArrayDeserializer());
    assertThat(
            Map.of(
                "exception", header(dead.get(0), "__streams.errors.exception"),
                "message", header(dead.get(0), "__streams.errors.message"),
                "topic", header(dead.get(0), "__streams.errors.topic"),
                "has partition and offset",
                    String.valueOf(
                        dead.get(0).headers().lastHeader("__streams.errors.partition") != null
                            && dead.get(0).headers().lastHeader("__streams.errors.offset")
                                != null)))
        .isEqualTo(
            Map.of(
                "exception",
                "dev.agentfeed.processor.sequencing.UnprocessableEventException",
                "message",
                "raw record key ses-refused is not the event's sessionId ses-other: the raw topic"
                    + " must be keyed by sessionId",
                "topic",
                TOPICS.raw(),
                "has partition and offset",
                "true"));
    assertThat(bySession(readUntil(TOPICS.enriched(), Set.of("ses-refused"), 2)))
        .isEqualTo(Map.of("org-a/ses-refused", List.of("ses-refused|p1|1", "ses-refused|p3|2")));
  }

  @Test
  void shouldWriteDiffsToEnrichedAndTheSessionsLatestStats() {
    produce(
        TestEvents.raw(
            "org-a",
            "ses-stats",
            "s1",
            EventType.FILE_CREATED,
            data("{'path':'a.txt','after':'1\\n2\\n3\\n'}")));
    produce(
        TestEvents.raw(
            "org-a",
            "ses-stats",
            "s2",
            EventType.FILE_EDITED,
            data("{'path':'a.txt','oldString':'3','newString':'three'}")));
    produce(TestEvents.raw("org-a", "ses-stats", "s3", EventType.SESSION_COMPLETED, data("{}")));
    producer.flush();

    List<ConsumerRecord<String, EventEnvelope>> enriched =
        readUntil(TOPICS.enriched(), Set.of("ses-stats"), 3);
    assertThat(enriched.get(1).value().data().get("diff").asString())
        .isEqualTo("--- a.txt\n+++ a.txt\n@@ -1,3 +1,3 @@\n 1\n 2\n-3\n+three\n");
    // Stats are written once per interval: wait for the one that counted all three events.
    List<ConsumerRecord<String, byte[]>> stats =
        readUntil(
            TOPICS.sessionsStats(),
            record ->
                record.key().equals("org-a/ses-stats")
                    && JSON.readTree(record.value()).path("events").asLong() == 3,
            1,
            new StringDeserializer());
    JsonNode latest = JSON.readTree(stats.get(0).value());
    assertThat(
            List.of(
                latest.get("status"),
                latest.get("events"),
                latest.get("lastSeq"),
                latest.get("files")))
        .containsExactly(
            JSON.readTree("\"completed\""),
            JSON.readTree("3"),
            JSON.readTree("3"),
            JSON.readTree(
                "{\"a.txt\":{\"changes\":2,\"linesAdded\":4,\"linesRemoved\":1,"
                    + "\"deleted\":false}}"));
  }

  /**
   * Record times half an hour ahead of the wall clock (the broker accepts up to an hour), so no
   * other test's events on the same repartition partition make these late.
   */
  @Test
  void shouldWriteTheOrgMinuteOnceTheGraceHasPassed() {
    Instant minute = Instant.now().plus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MINUTES);
    produceAt(
        minute.plusSeconds(5),
        "r1",
        EventType.TOOL_FAILED,
        "{'toolId':'t1','toolName':'Bash','error':'exit 1'}");
    produceAt(minute.plusSeconds(20), "r2", EventType.LOG, "{'message':'x'}");
    produceAt(minute.plusSeconds(95), "r3", EventType.LOG, "{'message':'closes the minute'}");
    producer.flush();

    List<ConsumerRecord<String, byte[]>> minutes =
        readUntil(
            TOPICS.statsOrgMinute(),
            record -> record.key().equals("org-rollup"),
            1,
            new StringDeserializer());
    assertThat(JSON.readTree(minutes.get(0).value()))
        .isEqualTo(
            JSON.readTree(
                ("{'orgId':'org-rollup','windowStart':'%s','windowEnd':'%s','events':2,"
                        + "'sessionsActive':1,'toolCalls':1,'toolFailures':1,'filesEdited':0,"
                        + "'fileChanges':0,'linesAdded':0,'linesRemoved':0}")
                    .formatted(minute, minute.plusSeconds(60))
                    .replace('\'', '"')));
  }

  @Test
  void shouldReportRunningKafkaStreamsOnHealthEndpoint() {
    String port = app.getEnvironment().getRequiredProperty("local.server.port");
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health")).build();
    JsonMapper json = JsonMapper.builder().build();

    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              HttpResponse<String> response =
                  HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
              assertThat(response.statusCode()).isEqualTo(200);
              assertThat(json.readTree(response.body()).at("/components/kafkaStreams"))
                  .isEqualTo(
                      json.readTree(
                          "{\"status\":\"UP\",\"details\":{\"state\":\"RUNNING\",\"streamThreads\":1}}"));
            });
  }

  private void produceAt(Instant at, String id, EventType type, String data) {
    EventEnvelope event =
        new EventEnvelope(
            id,
            type,
            "org-rollup",
            "ses-rollup",
            "executor",
            "sandbox/sbx-1",
            at,
            data(data),
            at,
            null,
            null);
    producer.send(
        new ProducerRecord<>(
            TOPICS.raw(),
            null,
            at.toEpochMilli(),
            event.sessionId(),
            SERDE.serializer().serialize(TOPICS.raw(), event)));
  }

  private static ObjectNode data(String singleQuoted) {
    return (ObjectNode) JSON.readTree(singleQuoted.replace('\'', '"'));
  }

  private void produce(EventEnvelope event) {
    producer.send(
        new ProducerRecord<>(
            TOPICS.raw(), event.sessionId(), SERDE.serializer().serialize(TOPICS.raw(), event)));
  }

  /** What a session's records must read as: key, id and seq, in seq order. */
  private static List<String> sequence(String session, String idPrefix, int count) {
    List<String> records = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      records.add(session + "|" + idPrefix + i + "|" + i);
    }
    return records;
  }

  /** The records of each session in the order a consumer got them. */
  private static Map<String, List<String>> bySession(
      List<ConsumerRecord<String, EventEnvelope>> records) {
    Map<String, List<String>> sessions = new LinkedHashMap<>();
    for (ConsumerRecord<String, EventEnvelope> record : records) {
      EventEnvelope event = record.value();
      sessions
          .computeIfAbsent(event.session().key(), k -> new ArrayList<>())
          .add(record.key() + "|" + event.id() + "|" + event.seq());
    }
    return sessions;
  }

  private static List<ConsumerRecord<String, EventEnvelope>> readUntil(
      String topic, Set<String> sessions, int count) {
    List<ConsumerRecord<String, byte[]>> raw =
        readUntil(
            topic, record -> sessions.contains(record.key()), count, new StringDeserializer());
    return raw.stream()
        .map(
            r ->
                new ConsumerRecord<>(
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    r.key(),
                    SERDE.deserializer().deserialize(topic, r.value())))
        .toList();
  }

  /** The events of {@code feed.live}, batches opened, one record per event. */
  private static List<ConsumerRecord<String, EventEnvelope>> readLiveUntil(
      Set<String> sessions, int count) {
    List<ConsumerRecord<String, EventEnvelope>> events = new ArrayList<>();
    read(
        TOPICS.feedLive(),
        new StringDeserializer(),
        record -> {
          if (sessions.contains(record.key())) {
            LiveRecord live = CODEC.readLive(record.value());
            List<EventEnvelope> opened =
                live instanceof LiveBatch batch ? batch.events() : List.of((EventEnvelope) live);
            opened.forEach(
                e ->
                    events.add(
                        new ConsumerRecord<>(
                            record.topic(), record.partition(), record.offset(), record.key(), e)));
          }
        },
        () -> events.size() >= count);
    return events;
  }

  /**
   * Reads {@code topic} from the start as a dashboard would ({@code read_committed}) until at least
   * {@code count} matching records arrived. Callers compare whole lists, so a record that should
   * not be there (a duplicate, a gap) still fails the test: a session's records arrive in order.
   */
  private static <K> List<ConsumerRecord<K, byte[]>> readUntil(
      String topic,
      Predicate<ConsumerRecord<K, byte[]>> matching,
      int count,
      Deserializer<K> keyDeserializer) {
    List<ConsumerRecord<K, byte[]>> records = new ArrayList<>();
    read(
        topic,
        keyDeserializer,
        record -> {
          if (matching.test(record)) {
            records.add(record);
          }
        },
        () -> records.size() >= count);
    return records;
  }

  /** Reads {@code topic} from the start, {@code read_committed}, until {@code done}. */
  private static <K> void read(
      String topic,
      Deserializer<K> keyDeserializer,
      Consumer<ConsumerRecord<K, byte[]>> onRecord,
      BooleanSupplier done) {
    try (KafkaConsumer<K, byte[]> consumer =
        new KafkaConsumer<>(
            KafkaTestBroker.readCommittedFromStart(broker),
            keyDeserializer,
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      await()
          .atMost(PATIENCE)
          .pollInSameThread()
          .pollInterval(Duration.ZERO)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(onRecord);
                return done.getAsBoolean();
              });
    }
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
