package dev.agentfeed.processor.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.LiveBatch;
import dev.agentfeed.model.LiveRecord;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.StreamProcessorApplication;
import dev.agentfeed.testing.KafkaTestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Exactly-once across a crash, on a real broker: the processor runs in a child JVM that is killed
 * with {@link Process#destroyForcibly()} (SIGKILL) while events flow, then started again on the
 * same state directory. Killing the JVM is the only way to get no clean close at all: an in-process
 * {@code KafkaStreams.close()} or context close commits, writes checkpoints and ends the open
 * transaction, which is exactly what a crash does not do. Afterwards a {@code read_committed}
 * consumer of every output topic must see each session's events once, gap-free, in seq order
 * (batches opened), and aggregates that counted each event once.
 */
class ExactlyOnceAfterCrashIntegrationTest {

  private static final Topics TOPICS = Topics.withDefaultPrefix();
  private static final EventCodec CODEC = new EventCodec();
  private static final Duration PATIENCE = Duration.ofSeconds(120);
  private static final List<String> ORGS = List.of("org-a", "org-b");
  private static final int SESSIONS_PER_ORG = 2;
  private static final int EVENTS_PER_SESSION = 400;
  private static final Duration ROLLUP_FLUSH = Duration.ofMillis(200);

  @TempDir private Path workDir;

  private EmbeddedKafkaBroker broker;
  private Process processor;
  private KafkaProducer<String, byte[]> producer;

  @BeforeEach
  void startBroker() {
    // The raw topic exists before the first send: a producer whose first records create it races
    // the new partition's leader election, and an idempotent producer can then lose its first
    // batch to OUT_OF_ORDER_SEQUENCE_NUMBER (seen: the warm-up never arrived).
    broker = KafkaTestBroker.start(3, TOPICS.raw());
    producer = KafkaTestBroker.producer(broker);
  }

  @AfterEach
  void stopAll() {
    if (processor != null) {
      processor.destroyForcibly();
    }
    if (producer != null) {
      producer.close();
    }
    if (broker != null) {
      broker.destroy();
    }
  }

  @Test
  void shouldWriteEveryEventOnceWithoutGapAfterTheProcessorIsKilledMidStream() throws Exception {
    // Record times in one minute (ahead of the wall clock, as the broker allows), so the org
    // rollup of that minute counts every event and is closed by one later event per org.
    Instant minute = Instant.now().plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MINUTES);
    List<EventEnvelope> events = script(minute);
    processor = startProcessor(1);
    int warmup = 40;
    send(events.subList(0, warmup));
    await().atMost(PATIENCE).until(() -> committedCount(TOPICS.enriched()) >= warmup);
    CompletableFuture<Void> sending =
        CompletableFuture.runAsync(() -> send(events.subList(warmup, events.size())));

    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> committedCount(TOPICS.enriched()) >= events.size() / 4);
    processor.destroyForcibly().waitFor();
    int enrichedAtKill = committedCount(TOPICS.enriched());
    processor = startProcessor(2);
    sending.get();

    assertThat(enrichedAtKill).isLessThan(events.size());
    Map<String, List<String>> expected = bySession(events);
    assertThat(readEvents(TOPICS.enriched(), false, events.size())).isEqualTo(expected);
    assertThat(readEvents(TOPICS.feedLive(), true, events.size())).isEqualTo(expected);
    assertThat(latestStats()).isEqualTo(expectedStats());
    assertThat(assembledMessages()).isEqualTo(expectedMessages());
    // Only now, with every event counted and its task's partial count sent on (within one flush
    // interval of its commit): a closer sent on ahead of another task's partial count, or of
    // another raw partition's backlog, would close the minute before those events count.
    await().pollDelay(ROLLUP_FLUSH.multipliedBy(10)).until(() -> true);
    send(
        ORGS.stream()
            .map(
                org ->
                    event(org, "closer-" + org, "closer", EventType.LOG, minute.plusSeconds(150)))
            .toList());
    assertThat(orgMinutes(minute)).isEqualTo(expectedOrgMinutes());
  }

  /** Per session a mix of tier-1 and tier-2 events, interleaved across sessions. */
  private static List<EventEnvelope> script(Instant minute) {
    List<EventEnvelope> events = new ArrayList<>();
    EventType[] cycle = {
      EventType.TOOL_STARTED,
      EventType.TOOL_COMPLETED,
      EventType.LOG,
      EventType.MESSAGE_CHUNK,
      EventType.TOOL_STARTED,
      EventType.TOOL_FAILED,
      EventType.LOG,
      EventType.WORKFLOW_PHASE_CHANGED
    };
    long spacing = 50_000 / EVENTS_PER_SESSION;
    for (int i = 0; i < EVENTS_PER_SESSION; i++) {
      for (String org : ORGS) {
        for (int s = 0; s < SESSIONS_PER_ORG; s++) {
          Instant at = minute.plusMillis(i * spacing);
          // Each session streams one message throughout (a chunk every 8 events) and completes
          // it with its last event, so its chunks span the kill.
          EventType type =
              i == EVENTS_PER_SESSION - 1 ? EventType.MESSAGE_COMPLETED : cycle[i % cycle.length];
          events.add(event(org, "ses-" + s, "ev-" + i, type, at));
        }
      }
    }
    return events;
  }

  private static EventEnvelope event(
      String org, String session, String id, EventType type, Instant at) {
    ObjectNode data = CODEC.mapper().createObjectNode();
    switch (type) {
      case TOOL_STARTED, TOOL_COMPLETED, TOOL_FAILED -> {
        data.put("toolId", "t-" + id).put("toolName", "Bash");
        if (type == EventType.TOOL_COMPLETED) {
          data.put("success", true).put("durationMs", 5);
        }
        if (type == EventType.TOOL_FAILED) {
          data.put("error", "exit 1");
        }
      }
      case MESSAGE_CHUNK ->
          data.put("messageId", "m")
              .put("chunkIndex", Integer.parseInt(id.substring("ev-".length())) / 8)
              .put("text", id + ";");
      case MESSAGE_COMPLETED -> data.put("messageId", "m");
      case WORKFLOW_PHASE_CHANGED -> data.put("phase", "phase-" + id);
      default -> data.put("message", "line " + id);
    }
    return new EventEnvelope(
        id, type, org, session, "executor", "sandbox/sbx-1", at, data, at, null, null);
  }

  /**
   * Paced (400 events/s), so that the kill lands while events are still arriving. Every send must
   * be acknowledged: a lost input would show as a gap in the outputs, wrongly blamed on the
   * processor.
   */
  private void send(List<EventEnvelope> events) {
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      sends.add(produce(events.get(i)));
      if (i % 8 == 7) {
        producer.flush();
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
    }
    producer.flush();
    for (Future<RecordMetadata> sent : sends) {
      try {
        sent.get();
      } catch (InterruptedException | ExecutionException e) {
        throw new IllegalStateException("an input event was not written to the raw topic", e);
      }
    }
  }

  private Future<RecordMetadata> produce(EventEnvelope event) {
    return producer.send(
        new ProducerRecord<>(
            TOPICS.raw(),
            null,
            event.receivedAt().toEpochMilli(),
            event.sessionId(),
            CODEC.toBytes(event)));
  }

  private Process startProcessor(int run) throws IOException {
    ProcessBuilder command =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx384m",
            "-cp",
            System.getProperty("java.class.path"),
            StreamProcessorApplication.class.getName(),
            "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
            "--spring.kafka.streams.state-dir=" + workDir.resolve("state"),
            "--server.port=0",
            "--agentfeed.topics.partitions=3",
            "--agentfeed.processor.stats-interval=200ms",
            "--agentfeed.processor.rollup-flush=" + ROLLUP_FLUSH.toMillis() + "ms",
            // The killed instance leaves the group only when its session times out: keep it short.
            "--spring.kafka.streams.properties.session.timeout.ms=6000");
    command.redirectErrorStream(true);
    // Kept after the test (the temporary directory is not), for when it fails.
    Path logs = Files.createDirectories(Path.of("target", "crash-test"));
    command.redirectOutput(logs.resolve("processor-" + run + ".log").toFile());
    return command.start();
  }

  /** Every session's events as {@code id:seq}, in the order a read_committed consumer got them. */
  private Map<String, List<String>> readEvents(String topic, boolean live, int count) {
    Map<String, List<String>> sessions = new TreeMap<>();
    AtomicInteger seen = new AtomicInteger();
    read(
        topic,
        record -> {
          List<EventEnvelope> opened;
          if (live) {
            LiveRecord value = CODEC.readLive(record.value());
            opened =
                value instanceof LiveBatch batch ? batch.events() : List.of((EventEnvelope) value);
          } else {
            opened = List.of(CODEC.fromBytes(record.value()));
          }
          for (EventEnvelope event : opened) {
            if (!event.sessionId().startsWith("closer-")) {
              sessions
                  .computeIfAbsent(event.session().key(), k -> new ArrayList<>())
                  .add(event.id() + ":" + event.seq());
              seen.incrementAndGet();
            }
          }
        },
        () -> seen.get() >= count);
    return sessions;
  }

  private static Map<String, List<String>> bySession(List<EventEnvelope> events) {
    Map<String, List<String>> sessions = new TreeMap<>();
    for (EventEnvelope event : events) {
      List<String> session =
          sessions.computeIfAbsent(event.session().key(), k -> new ArrayList<>());
      session.add(event.id() + ":" + (session.size() + 1));
    }
    return sessions;
  }

  /**
   * Per session, its completed message's text and chunk counts as {@code events.enriched} has it.
   */
  private Map<String, String> assembledMessages() {
    Map<String, String> messages = new TreeMap<>();
    read(
        TOPICS.enriched(),
        record -> {
          EventEnvelope event = CODEC.fromBytes(record.value());
          if (event.type() == EventType.MESSAGE_COMPLETED) {
            JsonNode data = event.data();
            messages.merge(
                event.session().key(),
                data.get("chunksAssembled").asInt()
                    + " chunks, "
                    + data.get("missingChunkCount").asInt()
                    + " missing: "
                    + data.get("text").asString(),
                (a, b) -> a + " AND AGAIN " + b);
          }
        },
        () -> messages.size() == ORGS.size() * SESSIONS_PER_ORG);
    return messages;
  }

  private static Map<String, String> expectedMessages() {
    StringBuilder text = new StringBuilder();
    for (int i = 3; i < EVENTS_PER_SESSION; i += 8) {
      text.append("ev-").append(i).append(';');
    }
    String message = (EVENTS_PER_SESSION / 8) + " chunks, 0 missing: " + text;
    Map<String, String> expected = new TreeMap<>();
    for (String org : ORGS) {
      for (int s = 0; s < SESSIONS_PER_ORG; s++) {
        expected.put(org + "/ses-" + s, message);
      }
    }
    return expected;
  }

  /** The latest stats per session once every session's last event is counted. */
  private Map<String, String> latestStats() {
    Map<String, String> latest = new TreeMap<>();
    Predicate<Map<String, String>> complete =
        m -> m.values().stream().filter(v -> v.startsWith(EVENTS_PER_SESSION + " ")).count() == 4;
    read(
        TOPICS.sessionsStats(),
        record -> {
          JsonNode stats = CODEC.mapper().readTree(record.value());
          if (!record.key().contains("/closer-")) {
            latest.put(
                record.key(),
                stats.get("events").asLong()
                    + " events, lastSeq "
                    + stats.get("lastSeq").asLong()
                    + ", tools "
                    + stats.get("tools"));
          }
        },
        () -> complete.test(latest));
    return latest;
  }

  private static Map<String, String> expectedStats() {
    Map<String, String> expected = new TreeMap<>();
    int n = EVENTS_PER_SESSION;
    String tools =
        "{\"Bash\":{\"started\":%d,\"calls\":%d,\"failures\":%d,\"durationP50Ms\":5,\"durationP95Ms\":5,\"durationMaxMs\":5}}"
            .formatted(n / 4, n / 4, n / 8);
    for (String org : ORGS) {
      for (int s = 0; s < SESSIONS_PER_ORG; s++) {
        expected.put(org + "/ses-" + s, n + " events, lastSeq " + n + ", tools " + tools);
      }
    }
    return expected;
  }

  private Map<String, String> orgMinutes(Instant minute) {
    Map<String, String> minutes = new TreeMap<>();
    read(
        TOPICS.statsOrgMinute(),
        record -> {
          JsonNode value = CODEC.mapper().readTree(record.value());
          if (value.get("windowStart").asString().equals(minute.toString())) {
            minutes.merge(
                record.key(),
                value.get("events").asLong() + " events, " + value.get("toolCalls") + " calls",
                (a, b) -> a + " AND AGAIN " + b);
          }
        },
        () -> minutes.size() == ORGS.size());
    return minutes;
  }

  private static Map<String, String> expectedOrgMinutes() {
    int perOrg = SESSIONS_PER_ORG * EVENTS_PER_SESSION;
    String counts = perOrg + " events, " + (perOrg / 4) + " calls";
    return Map.of("org-a", counts, "org-b", counts);
  }

  /** Records of {@code topic} committed so far: read up to the last stable offsets. */
  private int committedCount(String topic) {
    int count = 0;
    try (KafkaConsumer<String, byte[]> consumer = assigned(topic)) {
      List<TopicPartition> partitions = List.copyOf(consumer.assignment());
      Map<TopicPartition, Long> stable = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < stable.get(p))) {
        count += consumer.poll(Duration.ofMillis(100)).count();
      }
    }
    return count;
  }

  /**
   * Reads {@code topic} from the start, {@code read_committed}, until {@code done}. Assigned, not
   * subscribed: no group, so no rebalance delay.
   */
  private void read(
      String topic, Consumer<ConsumerRecord<String, byte[]>> onRecord, BooleanSupplier done) {
    try (KafkaConsumer<String, byte[]> consumer = assigned(topic)) {
      await()
          .atMost(PATIENCE)
          .pollInSameThread()
          .pollInterval(Duration.ZERO)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(onRecord);
                return done.getAsBoolean();
              });
      // A duplicate would come after what was expected: read on briefly to catch it.
      long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < until) {
        consumer.poll(Duration.ofMillis(100)).forEach(onRecord);
      }
    }
  }

  private KafkaConsumer<String, byte[]> assigned(String topic) {
    KafkaConsumer<String, byte[]> consumer = consumer();
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  private KafkaConsumer<String, byte[]> consumer() {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.getBrokersAsString(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed"),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }
}
