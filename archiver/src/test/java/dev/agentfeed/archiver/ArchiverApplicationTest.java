package dev.agentfeed.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.ReplayFolder;
import dev.agentfeed.archiver.replay.ReplayManifest;
import dev.agentfeed.archiver.replay.ReplayObject;
import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.archiver.testing.InProcessS3;
import dev.agentfeed.archiver.testing.MutableClock;
import dev.agentfeed.archiver.testing.TestSecurity;
import dev.agentfeed.archiver.testing.TestSessions;
import dev.agentfeed.model.DeadLetter;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.SessionRef;
import dev.agentfeed.model.Topics;
import dev.agentfeed.testing.KafkaTestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * The archiver as the e2e test and the local stack start it, against a real broker and a real S3
 * endpoint: events go in through Kafka, replays are checked through the S3 API.
 */
class ArchiverApplicationTest {

  private static final String BUCKET = "agentfeed-replays";
  private static final String GROUP = "agentfeed-archiver";
  private static final Instant START = Instant.parse("2026-01-30T12:00:00.123Z");
  private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration AT_MOST = Duration.ofSeconds(30);
  private static final Topics TOPICS = Topics.withDefaultPrefix();
  private static final EventCodec EVENTS = new EventCodec();
  private static final ReplayCodec REPLAYS = new ReplayCodec(EVENTS.mapper());

  private static EmbeddedKafkaBroker broker;
  private static InProcessS3 s3;
  private static MutableClock clock;
  private static ConfigurableApplicationContext archiver;
  private static KafkaProducer<String, byte[]> producer;
  private static Admin admin;

  @BeforeAll
  static void start() {
    broker = KafkaTestBroker.start(3, TOPICS.enriched(), TOPICS.deadLetters());
    s3 = InProcessS3.start();
    clock = new MutableClock();
    archiver = startArchiver(GROUP);
    producer = KafkaTestBroker.producer(broker);
    admin = KafkaTestBroker.admin(broker);
  }

  @AfterAll
  static void stop() {
    admin.close();
    producer.close();
    archiver.close();
    s3.close();
    broker.destroy();
  }

  /** How another test (e2e, local stack) starts the archiver in-process. */
  private static ConfigurableApplicationContext startArchiver(String groupId) {
    SpringApplication application = ArchiverApplication.application();
    application.addInitializers(
        context -> context.getBeanFactory().registerSingleton("testClock", clock));
    List<String> args = new ArrayList<>(s3.archiverArguments(BUCKET));
    args.addAll(
        List.of(
            "--server.port=0",
            "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
            "--agentfeed.topics.partitions=3",
            TestSecurity.secretArgument(),
            "--agentfeed.archiver.group-id=" + groupId,
            "--agentfeed.archiver.idle-timeout=" + IDLE_TIMEOUT,
            "--agentfeed.archiver.max-buffered-bytes=16KB",
            "--agentfeed.archiver.segments.max-spool-bytes=32KB",
            "--agentfeed.archiver.commit-interval=200ms",
            "--agentfeed.archiver.poll-timeout=50ms",
            "--agentfeed.archiver.s3.request-timeout=5s",
            "--agentfeed.archiver.s3.retry-initial-backoff=100ms",
            "--agentfeed.archiver.s3.retry-max-backoff=500ms"));
    return application.run(args.toArray(String[]::new));
  }

  @Test
  void shouldArchiveACompletedSessionAsAReplayAndAManifestThatDescribesIt() {
    List<EventEnvelope> events = TestSessions.completed("org-solo", "ses-main", 50, START);
    ReplayFolder folder = ReplayFolder.of(new SessionRef("org-solo", "ses-main"), START);

    produce(events);

    ReplayManifest manifest = awaitManifest(folder);
    byte[] replay = s3.bytes(BUCKET, folder.replayKey());
    assertThat(s3.keys(BUCKET, "replays/org=org-solo/"))
        .isEqualTo(
            List.of(
                "replays/org=org-solo/date=2026-01-30/session=ses-main/manifest-v1.json",
                "replays/org=org-solo/date=2026-01-30/session=ses-main/manifest.json",
                "replays/org=org-solo/date=2026-01-30/session=ses-main/replay.jsonl.gz"));
    assertThat(REPLAYS.readLines(replay)).isEqualTo(jsonLines(events));
    assertThat(manifest)
        .isEqualTo(
            new ReplayManifest(
                1,
                1,
                "org-solo",
                "ses-main",
                "executor-high",
                SessionStatus.COMPLETED,
                50,
                1,
                50,
                START,
                START.plusSeconds(49),
                List.of(
                    new ReplayObject(
                        folder.replayKey(),
                        replay.length,
                        ReplayCodec.sha256Hex(replay),
                        50,
                        1,
                        50))));
  }

  @Test
  void shouldArchiveASessionWithoutEndOnceItWasIdleForTheTimeout() {
    List<EventEnvelope> events = TestSessions.open("org-main", "ses-idle", 5, START);
    ReplayFolder folder = ReplayFolder.of(new SessionRef("org-main", "ses-idle"), START);

    produce(events);
    await().atMost(AT_MOST).until(() -> (int) health().get("bufferedSessions") == 1);
    assertThat(s3.keys(BUCKET, folder.prefix())).isEmpty();
    clock.advance(IDLE_TIMEOUT);

    ReplayManifest manifest = awaitManifest(folder);
    assertThat(List.of(manifest.status(), manifest.eventCount(), manifest.lastSeq()))
        .isEqualTo(List.of(SessionStatus.IDLE, 5L, 5L));
    assertThat(REPLAYS.readLines(s3.bytes(BUCKET, folder.replayKey())))
        .isEqualTo(jsonLines(events));
  }

  @Test
  void shouldWriteALateEventToASegmentAndManifestVersionTwo() {
    List<EventEnvelope> events = TestSessions.completed("org-main", "ses-late", 10, START);
    EventEnvelope late = TestSessions.work("org-main", "ses-late", 11, START);
    ReplayFolder folder = ReplayFolder.of(new SessionRef("org-main", "ses-late"), START);
    produce(events);
    ReplayManifest first = awaitManifest(folder);

    produce(List.of(late));
    await().atMost(AT_MOST).until(() -> (int) health().get("bufferedSessions") >= 1);
    clock.advance(IDLE_TIMEOUT);

    // manifest-v2.json is written before manifest.json points to it: wait for the latter.
    await()
        .atMost(AT_MOST)
        .until(
            () ->
                REPLAYS.readManifest(s3.bytes(BUCKET, folder.manifestKey())).manifestVersion()
                    == 2);
    byte[] segment = s3.bytes(BUCKET, folder.segmentKey(11, 11));
    assertThat(REPLAYS.readManifest(s3.bytes(BUCKET, folder.manifestKey())))
        .isEqualTo(
            first.withAppended(
                new ReplayObject(
                    folder.segmentKey(11, 11),
                    segment.length,
                    ReplayCodec.sha256Hex(segment),
                    1,
                    11,
                    11),
                SessionStatus.COMPLETED,
                late.ts()));
    assertThat(REPLAYS.readLines(segment)).isEqualTo(jsonLines(List.of(late)));
  }

  @Test
  void shouldKeepTwoOrgsWithTheSameSessionIdInTheirOwnFolders() {
    List<EventEnvelope> orgA = TestSessions.completed("org-a", "ses-shared", 4, START);
    List<EventEnvelope> orgB =
        TestSessions.completed("org-b", "ses-shared", 6, START.plusSeconds(1));
    ReplayFolder folderA = ReplayFolder.of(new SessionRef("org-a", "ses-shared"), START);
    ReplayFolder folderB =
        ReplayFolder.of(new SessionRef("org-b", "ses-shared"), START.plusSeconds(1));

    produce(TestSessions.interleave(orgA, orgB));

    awaitManifest(folderA);
    awaitManifest(folderB);
    assertThat(
            List.of(
                REPLAYS.readLines(s3.bytes(BUCKET, folderA.replayKey())),
                REPLAYS.readLines(s3.bytes(BUCKET, folderB.replayKey()))))
        .isEqualTo(List.of(jsonLines(orgA), jsonLines(orgB)));
  }

  @Test
  void shouldCommitASessionsOffsetsOnlyOnceItIsInS3() throws Exception {
    List<EventEnvelope> events = TestSessions.completed("org-main", "ses-outage", 10, START);
    ReplayFolder folder = ReplayFolder.of(new SessionRef("org-main", "ses-outage"), START);
    List<RecordMetadata> sent;
    s3.stop();
    try {
      sent = produce(events);
      await().atMost(AT_MOST).until(() -> (int) health().get("consecutiveUploadFailures") >= 3);

      assertThat(committed(partitionOf(sent))).isLessThanOrEqualTo(sent.get(0).offset());
    } finally {
      s3.restart();
    }

    awaitManifest(folder);
    long end = sent.get(sent.size() - 1).offset() + 1;
    await().atMost(AT_MOST).until(() -> committed(partitionOf(sent)) == end);
  }

  @Test
  void shouldSpillAndThenPauseRatherThanDropWhenTheBuffersAreFull() {
    List<List<EventEnvelope>> sessions = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      sessions.add(TestSessions.completed("org-full", "ses-full-" + i, 50, START));
    }
    s3.stop();
    try {
      sessions.subList(0, 3).forEach(this::produce);
      await().atMost(AT_MOST).until(() -> (boolean) health().get("paused"));
      produce(sessions.get(3));
    } finally {
      s3.restart();
    }

    for (int i = 0; i < 4; i++) {
      ReplayFolder folder = ReplayFolder.of(new SessionRef("org-full", "ses-full-" + i), START);
      awaitManifest(folder);
      assertThat(REPLAYS.readLines(s3.bytes(BUCKET, folder.replayKey())))
          .isEqualTo(jsonLines(sessions.get(i)));
    }
    await().atMost(AT_MOST).until(() -> !(boolean) health().get("paused"));
  }

  @Test
  void shouldWriteTheSameBytesWhenASessionIsArchivedAgainAfterLosingItsManifest() {
    List<EventEnvelope> events = TestSessions.completed("org-main", "ses-twice", 20, START);
    ReplayFolder folder = ReplayFolder.of(new SessionRef("org-main", "ses-twice"), START);
    produce(events);
    awaitManifest(folder);
    byte[] replay = s3.bytes(BUCKET, folder.replayKey());
    byte[] manifest = s3.bytes(BUCKET, folder.manifestKey());
    // As after a crash between the two writes: a replay without manifest, offsets not committed.
    s3.delete(BUCKET, folder.manifestKey());

    try (ConfigurableApplicationContext rerun = startArchiver(GROUP + "-rerun")) {
      awaitManifest(folder);
    }

    assertThat(
            List.of(s3.bytes(BUCKET, folder.replayKey()), s3.bytes(BUCKET, folder.manifestKey())))
        .containsExactly(replay, manifest);
  }

  @Test
  void shouldHandSessionsOverCleanlyWhenASecondArchiverJoinsTheGroup() {
    List<List<EventEnvelope>> sessions = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      sessions.add(TestSessions.completed("org-rebalance", "ses-" + i, 20, START));
    }
    sessions.forEach(events -> produce(events.subList(0, 10)));
    await().atMost(AT_MOST).until(() -> (int) health().get("bufferedSessions") >= 6);

    try (ConfigurableApplicationContext second = startArchiver(GROUP)) {
      // Partitions moved between the two: each moved session is read again by its new owner.
      await()
          .atMost(AT_MOST)
          .until(
              () ->
                  (int) health(second).get("assignedPartitions") > 0
                      && (int) health().get("assignedPartitions") < 3);
      sessions.forEach(events -> produce(events.subList(10, 20)));

      for (List<EventEnvelope> events : sessions) {
        ReplayFolder folder = ReplayFolder.of(events.get(0).session(), START);
        awaitManifest(folder);
        assertThat(
                List.of(
                    s3.keys(BUCKET, folder.prefix()),
                    REPLAYS.readLines(s3.bytes(BUCKET, folder.replayKey()))))
            .isEqualTo(
                List.of(
                    List.of(folder.manifestKey(1), folder.manifestKey(), folder.replayKey()),
                    jsonLines(events)));
      }
    }
  }

  @Test
  void shouldArchiveOnlyCommittedEvents() {
    List<EventEnvelope> aborted =
        TestSessions.completed("org-main", "ses-tx", 3, START.minusSeconds(60));
    List<EventEnvelope> events = TestSessions.completed("org-main", "ses-tx", 5, START);
    ReplayFolder folder = ReplayFolder.of(new SessionRef("org-main", "ses-tx"), START);

    try (KafkaProducer<String, byte[]> transactional =
        KafkaTestBroker.transactionalProducer(broker, "archiver-test-tx")) {
      transactional.initTransactions();
      transactional.beginTransaction();
      aborted.forEach(e -> transactional.send(record(e)));
      transactional.flush();
      transactional.abortTransaction();
      transactional.beginTransaction();
      events.forEach(e -> transactional.send(record(e)));
      transactional.commitTransaction();
    }

    awaitManifest(folder);
    assertThat(REPLAYS.readLines(s3.bytes(BUCKET, folder.replayKey())))
        .isEqualTo(jsonLines(events));
  }

  @Test
  void shouldSendARecordThatIsNotAnEventToTheDeadLetterTopic() throws Exception {
    RecordMetadata sent =
        producer
            .send(
                new ProducerRecord<>(
                    TOPICS.enriched(), "ses-garbage", "not json".getBytes(StandardCharsets.UTF_8)))
            .get();

    DeadLetter letter = awaitDeadLetter("ses-garbage");

    assertThat(letter.reason()).startsWith("not an agentfeed envelope: ");
    assertThat(letter)
        .isEqualTo(
            new DeadLetter(
                TOPICS.enriched(),
                sent.partition(),
                sent.offset(),
                "ses-garbage",
                letter.reason(),
                "archiver",
                "not json",
                "utf-8",
                letter.at()));
  }

  @Test
  void shouldServeHealthOnTheActuatorEndpoint() throws Exception {
    String port = archiver.getEnvironment().getProperty("local.server.port");
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(
            List.of(
                response.statusCode(),
                EVENTS.mapper().readTree(response.body()).get("status").asString()))
        .isEqualTo(List.of(200, "UP"));
  }

  private List<RecordMetadata> produce(List<EventEnvelope> events) {
    List<Future<RecordMetadata>> futures =
        events.stream().map(e -> producer.send(record(e))).toList();
    producer.flush();
    List<RecordMetadata> sent = new ArrayList<>();
    for (Future<RecordMetadata> future : futures) {
      try {
        sent.add(future.get());
      } catch (InterruptedException | ExecutionException e) {
        throw new IllegalStateException("broker did not take the test events", e);
      }
    }
    return sent;
  }

  private static ProducerRecord<String, byte[]> record(EventEnvelope event) {
    return new ProducerRecord<>(TOPICS.enriched(), event.sessionId(), EVENTS.toBytes(event));
  }

  private static List<String> jsonLines(List<EventEnvelope> events) {
    return events.stream().map(EVENTS::toJson).toList();
  }

  private static ReplayManifest awaitManifest(ReplayFolder folder) {
    await()
        .atMost(AT_MOST)
        .until(() -> s3.keys(BUCKET, folder.prefix()).contains(folder.manifestKey()));
    return REPLAYS.readManifest(s3.bytes(BUCKET, folder.manifestKey()));
  }

  private static Map<String, Object> health() {
    return health(archiver);
  }

  private static Map<String, Object> health(ConfigurableApplicationContext context) {
    return context.getBean("archiverHealthIndicator", HealthIndicator.class).health().getDetails();
  }

  private static TopicPartition partitionOf(List<RecordMetadata> sent) {
    return new TopicPartition(sent.get(0).topic(), sent.get(0).partition());
  }

  private static long committed(TopicPartition partition) {
    return KafkaTestBroker.committedOffset(admin, GROUP, partition);
  }

  private static DeadLetter awaitDeadLetter(String key) {
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "dead-letter-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPICS.deadLetters()));
      List<DeadLetter> letters = new ArrayList<>();
      await()
          .atMost(AT_MOST)
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  if (key.equals(record.key())) {
                    letters.add(EVENTS.mapper().readValue(record.value(), DeadLetter.class));
                  }
                }
                return !letters.isEmpty();
              });
      return letters.get(0);
    }
  }
}
