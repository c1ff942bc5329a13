package dev.agentfeed.archiver.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.archiver.ArchiverApplication;
import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.ReplayFolder;
import dev.agentfeed.archiver.replay.ReplayManifest;
import dev.agentfeed.archiver.testing.InProcessS3;
import dev.agentfeed.archiver.testing.TestSecurity;
import dev.agentfeed.archiver.testing.TestSessions;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.SessionRef;
import dev.agentfeed.model.Topics;
import dev.agentfeed.testing.KafkaTestBroker;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * The archiver under faults, on a real broker and a real S3 endpoint: killed at exact points (a
 * child JVM that halts itself, see {@link CrashingArchiver}) and restarted, S3 stopped mid-stream,
 * and S3 refusing one session's objects. After each, the archive must be what an uninterrupted run
 * writes, byte for byte.
 */
class ArchiverFaultTest {

  private static final Topics TOPICS = Topics.withDefaultPrefix();
  private static final EventCodec EVENTS = new EventCodec();
  private static final ReplayCodec REPLAYS = new ReplayCodec(EVENTS.mapper());
  private static final Instant START = Instant.parse("2026-01-30T12:00:00.123Z");
  private static final Duration AT_MOST = Duration.ofSeconds(60);
  private static final String CRASH_ORG = "org-crash";

  private static EmbeddedKafkaBroker broker;
  private static InProcessS3 s3;
  private static KafkaProducer<String, byte[]> producer;
  private static Admin admin;
  private static Map<String, ByteBuffer> uninterrupted;

  @BeforeAll
  static void start() {
    broker = KafkaTestBroker.start(1, TOPICS.enriched(), TOPICS.deadLetters());
    s3 = InProcessS3.start();
    producer = KafkaTestBroker.producer(broker);
    admin = KafkaTestBroker.admin(broker);
    // Three sessions, the long one interleaved with the two short ones.
    List<EventEnvelope> a = TestSessions.completed(CRASH_ORG, "ses-a", 30, START);
    List<EventEnvelope> b = TestSessions.completed(CRASH_ORG, "ses-b", 150, START);
    List<EventEnvelope> c = TestSessions.completed(CRASH_ORG, "ses-c", 60, START.plusSeconds(40));
    produce(
        Stream.of(
            TestSessions.interleave(a, b.subList(0, 60)),
            TestSessions.interleave(c, b.subList(60, 150))));
    try (ConfigurableApplicationContext run =
        archiver("uninterrupted", "uninterrupted", Map.of())) {
      awaitIdle(run, "uninterrupted", 3);
    }
    uninterrupted = objects("uninterrupted", CRASH_ORG);
  }

  @AfterAll
  static void stop() {
    admin.close();
    producer.close();
    s3.close();
    broker.destroy();
  }

  @ParameterizedTest(name = "killed {0}")
  @ValueSource(
      strings = {
        // between a segment's upload and the next offset commit
        "after-segment:2",
        // between two segments of an open session
        "before-segment:3",
        // compaction: the replay written, its manifest not
        "after-replay:1",
        // compaction: the manifest written, the merged segments not yet deleted
        "after-manifest:2"
      })
  void shouldArchiveTheSameBytesAsAnUninterruptedRunAfterAKill(String crashAt) throws Exception {
    String name = "crash-" + crashAt.replace(':', '-');
    Map<String, String> small =
        Map.of(
            "agentfeed.archiver.segments.max-bytes", "4KB",
            "spring.kafka.consumer.max-poll-records", "10",
            // Static membership: the restarted archiver takes the killed one's place at once
            // instead of waiting for its session to time out.
            "spring.kafka.consumer.properties.group.instance.id", name);

    Process child = crashingArchiver(crashAt, name, small);
    assertThat(child.waitFor(AT_MOST.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(CrashingArchiver.HALTED);

    try (ConfigurableApplicationContext restarted = archiver(name, name, small)) {
      awaitIdle(restarted, name, 3);
    }
    assertThat(objects(name, CRASH_ORG)).isEqualTo(uninterrupted);
  }

  @Test
  void shouldLoseNothingAndCommitNothingWhileS3IsDownMidStream() throws Exception {
    String name = "outage";
    List<EventEnvelope> events = TestSessions.completed("org-outage", "ses-outage", 80, START);
    Map<String, String> small = Map.of("agentfeed.archiver.segments.max-bytes", "4KB");
    try (ConfigurableApplicationContext archiver = archiver(name, name, small)) {
      List<RecordMetadata> sent = produce(Stream.of(events.subList(0, 40)));
      ReplayFolder folder = ReplayFolder.of(new SessionRef("org-outage", "ses-outage"), START);
      await().atMost(AT_MOST).until(() -> !s3.keys(name, folder.prefix()).isEmpty());
      s3.stop();
      try {
        produce(Stream.of(events.subList(40, 80)));
        await()
            .atMost(AT_MOST)
            .until(() -> health(archiver).getStatus().equals(ArchiveHealthIndicator.DEGRADED));
        assertThat(committed(name, partitionOf(sent))).isLessThanOrEqualTo(sent.get(0).offset());
      } finally {
        s3.restart();
      }

      await()
          .atMost(AT_MOST)
          .until(() -> s3.keys(name, folder.prefix()).contains(folder.manifestKey()));
      await().atMost(AT_MOST).until(() -> health(archiver).getStatus().getCode().equals("UP"));
      assertThat(List.of(s3.keys(name, folder.prefix()), s3.bytes(name, folder.replayKey())))
          .usingRecursiveFieldByFieldElementComparator()
          .isEqualTo(
              List.of(
                  List.of(folder.manifestKey(1), folder.manifestKey(), folder.replayKey()),
                  REPLAYS.gzipLines(events.stream().map(EVENTS::toBytes).toList())));
    }
  }

  @Test
  void shouldRetryASessionWhoseObjectsS3RefusesWithoutHoldingUpTheOthers() {
    String name = "refused";
    List<EventEnvelope> refused = TestSessions.completed("org-refused", "ses-refused", 10, START);
    List<EventEnvelope> other = TestSessions.completed("org-refused", "ses-other", 10, START);
    ReplayFolder refusedFolder = ReplayFolder.of(refused.get(0).session(), START);
    ReplayFolder otherFolder = ReplayFolder.of(other.get(0).session(), START);
    s3.failWritesUnder(refusedFolder.prefix());
    try (ConfigurableApplicationContext archiver = archiver(name, name, Map.of())) {
      try {
        produce(Stream.of(refused, other));

        await()
            .atMost(AT_MOST)
            .until(() -> s3.keys(name, otherFolder.prefix()).contains(otherFolder.manifestKey()));
        await()
            .atMost(AT_MOST)
            .until(() -> (int) health(archiver).getDetails().get("sessionsRetrying") == 1);
        assertThat(health(archiver).getStatus()).isEqualTo(ArchiveHealthIndicator.DEGRADED);
        assertThat(s3.keys(name, refusedFolder.prefix())).isEmpty();
      } finally {
        s3.healWrites();
      }

      await()
          .atMost(AT_MOST)
          .until(() -> s3.keys(name, refusedFolder.prefix()).contains(refusedFolder.manifestKey()));
      ReplayManifest manifest = REPLAYS.readManifest(s3.bytes(name, refusedFolder.manifestKey()));
      assertThat(REPLAYS.readLines(s3.bytes(name, refusedFolder.replayKey())))
          .isEqualTo(refused.stream().map(EVENTS::toJson).toList());
      assertThat(manifest.eventCount()).isEqualTo(10);
    }
  }

  private static Process crashingArchiver(String crashAt, String name, Map<String, String> extra)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-D" + CrashingArchiver.CRASH_AT + "=" + crashAt);
    command.add("-Xmx256m");
    // A quicker start for a JVM that lives a few seconds.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(CrashingArchiver.class.getName());
    command.addAll(arguments(name, name, extra));
    File log = Path.of("target", name + ".log").toFile();
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
  }

  private static ConfigurableApplicationContext archiver(
      String group, String bucket, Map<String, String> extra) {
    return ArchiverApplication.application()
        .run(arguments(group, bucket, extra).toArray(String[]::new));
  }

  private static List<String> arguments(String group, String bucket, Map<String, String> extra) {
    List<String> args = new ArrayList<>(s3.archiverArguments(bucket));
    args.addAll(
        List.of(
            "--server.port=0",
            "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
            "--agentfeed.topics.partitions=1",
            TestSecurity.secretArgument(),
            "--agentfeed.archiver.group-id=" + group,
            "--agentfeed.archiver.commit-interval=200ms",
            "--agentfeed.archiver.poll-timeout=50ms",
            "--agentfeed.archiver.s3.request-timeout=5s",
            "--agentfeed.archiver.s3.retry-initial-backoff=100ms",
            "--agentfeed.archiver.s3.retry-max-backoff=500ms",
            "--spring.kafka.consumer.properties.session.timeout.ms=6000"));
    extra.forEach((key, value) -> args.add("--" + key + "=" + value));
    return args;
  }

  /** Waits until the archiver holds no session and the org's sessions all have a manifest. */
  private static void awaitIdle(
      ConfigurableApplicationContext archiver, String bucket, int sessions) {
    await()
        .atMost(AT_MOST)
        .until(
            () ->
                s3.keys(bucket, "replays/org=" + CRASH_ORG + "/").stream()
                            .filter(k -> k.endsWith("/manifest.json"))
                            .count()
                        == sessions
                    && (int) health(archiver).getDetails().get("bufferedSessions") == 0);
  }

  private static Health health(ConfigurableApplicationContext archiver) {
    return archiver.getBean("archiverHealthIndicator", HealthIndicator.class).health();
  }

  /** Every object of the org in the bucket, by key within the bucket. */
  private static Map<String, ByteBuffer> objects(String bucket, String org) {
    Map<String, ByteBuffer> objects = new LinkedHashMap<>();
    for (String key : s3.keys(bucket, "replays/org=" + org + "/")) {
      objects.put(key, ByteBuffer.wrap(s3.bytes(bucket, key)));
    }
    return objects;
  }

  private static List<RecordMetadata> produce(Stream<List<EventEnvelope>> batches) {
    List<RecordMetadata> sent = new ArrayList<>();
    batches.forEach(
        events -> {
          var futures =
              events.stream()
                  .map(
                      e ->
                          producer.send(
                              new ProducerRecord<>(
                                  TOPICS.enriched(), e.sessionId(), EVENTS.toBytes(e))))
                  .toList();
          producer.flush();
          for (var future : futures) {
            try {
              sent.add(future.get());
            } catch (InterruptedException | ExecutionException e) {
              throw new IllegalStateException("broker did not take the test events", e);
            }
          }
        });
    return sent;
  }

  private static TopicPartition partitionOf(List<RecordMetadata> sent) {
    return new TopicPartition(sent.get(0).topic(), sent.get(0).partition());
  }

  private static long committed(String group, TopicPartition partition) {
    return KafkaTestBroker.committedOffset(admin, group, partition);
  }
}
