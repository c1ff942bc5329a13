package dev.agentfeed.bench.archive;

import dev.agentfeed.archiver.ArchiverApplication;
import dev.agentfeed.archiver.ArchiverProperties;
import dev.agentfeed.archiver.replay.ReplayCatalog;
import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.ReplayVerifier;
import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.archiver.storage.S3Clients;
import dev.agentfeed.model.EventCodec;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Archive throughput, enriched topic → S3: starts the archiver in this JVM against the given Kafka
 * and S3 on a topic prefix of its own, writes completed sessions into its {@code events.enriched}
 * as the stream processor would, and measures from the archiver holding its first records until
 * every session has its replay and manifest in S3: MB/s are the JSON bytes of the enriched records
 * archived per second. It does so twice, on topics of their own: a freshly started archiver, then a
 * second one in the same (now warm) JVM. Then, in the same run and to the same endpoint, raw PUTs
 * of the same gzip objects (on as many threads as the archiver uploads with), and the ratio. Last,
 * one session of {@code --verify-events} events is archived and the time to fetch and verify it
 * (catalog lookup, every object's SHA-256, seq continuity) is measured.
 */
@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    description =
        "Archiver throughput (events.enriched → S3) against raw S3 PUTs, and the time to verify a"
            + " large replay.")
public final class ArchiveBenchmark implements Callable<Integer> {

  private static final Duration WAIT = Duration.ofMinutes(10);

  @Spec CommandSpec spec;

  @Option(names = "--bootstrap", defaultValue = "localhost:9092")
  String bootstrap;

  @Option(names = "--s3-endpoint", defaultValue = "http://localhost:9000")
  URI endpoint;

  @Option(names = "--access-key", defaultValue = "agentfeed")
  String accessKey;

  @Option(names = "--secret-key", defaultValue = "agentfeed-secret")
  String secretKey;

  @Option(names = "--region", defaultValue = "us-east-1")
  String region;

  @Option(
      names = "--bucket",
      defaultValue = "agentfeed-bench",
      description = "a bucket of its own, created when missing")
  String bucket;

  @Option(names = "--partitions", defaultValue = "6")
  int partitions;

  @Option(
      names = "--sessions",
      defaultValue = "100",
      description = "sessions in the throughput run")
  int sessions;

  @Option(names = "--events-per-session", defaultValue = "1000")
  int eventsPerSession;

  @Option(names = "--event-bytes", defaultValue = "1024", description = "about this big each")
  int eventBytes;

  @Option(
      names = "--upload-concurrency",
      defaultValue = "4",
      description = "the archiver's upload threads, and the raw PUTs' threads")
  int concurrency;

  @Option(
      names = "--verify-events",
      defaultValue = "100000",
      description = "events of the session whose fetch-and-verify is timed (0: skip)")
  int verifyEvents;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ArchiverProperties.S3 s3Settings =
        new ArchiverProperties.S3(
            endpoint, region, null, accessKey, secretKey, bucket, true, null, null, null);
    try (S3Client s3 = S3Clients.create(s3Settings)) {
      // Twice, each on a topic, group and org of its own: first as a freshly started archiver
      // (its JIT still warming up on a run of a few seconds), then as a running one (a second
      // archiver in the same JVM), which is what production runs and what the raw PUTs, made
      // after the first run, are compared with.
      archiveOnce(out, s3, "first run (cold: a freshly started archiver)", false);
      archiveOnce(out, s3, "second run (warm: as a long-running archiver)", true);
      out.printf("%ntargets: >= 30 MB/s archived, verify of 100k events < 2 s%n");
      out.flush();
    }
    return 0;
  }

  private void archiveOnce(PrintWriter out, S3Client s3, String label, boolean verify) {
    String run = "bench-archive-" + UUID.randomUUID().toString().substring(0, 8);
    String topic = run + ".events.enriched";
    createTopic(topic);
    // A producer per run, which knows the new topic's leaders before its first send: an
    // idempotent producer sending to a topic still electing its leaders can stall in retries.
    try (KafkaProducer<String, byte[]> producer = producer()) {
      producer.partitionsFor(topic);
      archiveOnce(out, s3, producer, run, topic, label, verify);
    }
  }

  private void archiveOnce(
      PrintWriter out,
      S3Client s3,
      KafkaProducer<String, byte[]> producer,
      String run,
      String topic,
      String label,
      boolean verify) {
    BenchSessions generator = new BenchSessions(run, eventBytes);
    out.printf(
        "%n%s%nwriting %d sessions x %d events of ~%d B to %s on %s …%n",
        label, sessions, eventsPerSession, eventBytes, topic, bootstrap);
    out.flush();
    long bytes = 0;
    for (int seq = 1; seq <= eventsPerSession; seq++) {
      // Sessions run side by side, as in production: one event of each in turn.
      for (int session = 0; session < sessions; session++) {
        byte[] event = generator.event(session, seq, seq == eventsPerSession);
        bytes += event.length;
        producer.send(new ProducerRecord<>(topic, generator.sessionId(session), event));
      }
    }
    producer.flush();
    out.printf("starting the archiver (S3 %s, bucket %s) …%n", endpoint, bucket);
    out.flush();
    try (ConfigurableApplicationContext archiver = startArchiver(run)) {
      HealthIndicator health = archiver.getBean("archiverHealthIndicator", HealthIndicator.class);
      // The clock starts when the archiver holds its first events, not at Spring's start.
      awaitFirstEvents(health);
      long start = System.nanoTime();
      Map<Long, Long> pollStart = cpuNanos("archiver-poll");
      Map<Long, Long> uploadStart = cpuNanos("archiver-upload");
      awaitReplays(health, sessions);
      double archiveSeconds = (System.nanoTime() - start) / 1e9;
      double pollSeconds = cpuSecondsSince("archiver-poll", pollStart);
      double uploadSeconds = cpuSecondsSince("archiver-upload", uploadStart);
      report(out, s3, run, bytes, archiveSeconds);
      out.printf(
          "  archiver threads' CPU meanwhile: %.2f s (poll thread %.2f s, upload threads %.2f s),"
              + " %.0f MB of JSON per CPU-second (less noisy than the wall clock on a shared"
              + " machine)%n",
          pollSeconds + uploadSeconds,
          pollSeconds,
          uploadSeconds,
          bytes / 1e6 / (pollSeconds + uploadSeconds));
      out.flush();
      if (verify && verifyEvents > 0) {
        verifyLarge(out, generator, producer, topic, health, s3);
      }
    }
  }

  /**
   * CPU time so far, by thread id, of the live threads whose names start so: {@code archiver-poll}
   * (which also decompresses what Kafka sends), {@code archiver-upload} (which compress and call
   * S3).
   */
  private static Map<Long, Long> cpuNanos(String threadNamePrefix) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Long> nanos = new HashMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith(threadNamePrefix)) {
        nanos.put(thread.getId(), Math.max(0, threads.getThreadCpuTime(thread.getId())));
      }
    }
    return nanos;
  }

  private static double cpuSecondsSince(String threadNamePrefix, Map<Long, Long> start) {
    long nanos = 0;
    for (Map.Entry<Long, Long> now : cpuNanos(threadNamePrefix).entrySet()) {
      nanos += now.getValue() - start.getOrDefault(now.getKey(), 0L);
    }
    return nanos / 1e9;
  }

  private void report(PrintWriter out, S3Client s3, String run, long bytes, double archiveSeconds) {
    List<S3Object> replays = replays(s3, run);
    long replayBytes = replays.stream().mapToLong(S3Object::size).sum();
    long events = (long) sessions * eventsPerSession;
    out.println();
    out.printf("archive (enriched topic -> S3, one poll thread, %d upload threads)%n", concurrency);
    out.printf(
        "  clock: from the archiver holding its first records (at most one poll, 500 records,"
            + " after the first read) until every session's replay and manifest is in S3;"
            + " MB/s = JSON bytes of the enriched records archived per second%n");
    out.printf(
        "  %d events, %.1f MB of JSON in %.2f s: %.0f events/s, %.1f MB/s (JSON);"
            + " %.1f MB/s of gzip written (%d replays, %.1f MB)%n",
        events,
        bytes / 1e6,
        archiveSeconds,
        events / archiveSeconds,
        bytes / 1e6 / archiveSeconds,
        replayBytes / 1e6 / archiveSeconds,
        replays.size(),
        replayBytes / 1e6);
    out.flush();
    double rawSeconds = rawPuts(s3, run, replays);
    out.printf(
        "raw S3 PUT (same endpoint, same objects, %d threads, no Kafka, no manifest)%n",
        concurrency);
    out.printf(
        "  %d objects, %.1f MB in %.2f s: %.1f MB/s of gzip, %.0f objects/s%n",
        replays.size(),
        replayBytes / 1e6,
        rawSeconds,
        replayBytes / 1e6 / rawSeconds,
        replays.size() / rawSeconds);
    out.printf(
        "  ratio archive/raw PUT: %.2f (gzip bytes per second; the archive also reads Kafka, checks"
            + " and compresses every event, lists each session's folder and writes two manifests"
            + " per session)%n",
        rawSeconds / archiveSeconds);
    out.flush();
  }

  private void verifyLarge(
      PrintWriter out,
      BenchSessions generator,
      KafkaProducer<String, byte[]> producer,
      String topic,
      HealthIndicator health,
      S3Client s3) {
    int large = sessions;
    long bytes = 0;
    for (int seq = 1; seq <= verifyEvents; seq++) {
      byte[] event = generator.event(large, seq, seq == verifyEvents);
      bytes += event.length;
      producer.send(new ProducerRecord<>(topic, generator.sessionId(large), event));
    }
    producer.flush();
    long start = System.nanoTime();
    awaitReplays(health, sessions + 1);
    double archiveSeconds = (System.nanoTime() - start) / 1e9;

    EventCodec events = new EventCodec();
    ReplayCodec codec = new ReplayCodec(events.mapper());
    ReplayStore store = new ReplayStore(s3, bucket);
    ReplayCatalog catalog = new ReplayCatalog(store, codec);
    ReplayVerifier verifier = new ReplayVerifier(store, codec, events.mapper());
    out.println("fetch and verify one large replay (catalog lookup, SHA-256, seq 1..N)");
    // The first run includes the JIT's warm-up, as a CLI run does; the second is a warm service.
    for (String run : List.of("first (cold)", "second (warm)")) {
      long verifyStart = System.nanoTime();
      ReplayCatalog.Entry entry =
          catalog
              .find(generator.orgId(), generator.sessionId(large))
              .orElseThrow(() -> new IllegalStateException("the large session is not archived"));
      ReplayVerifier.Result result = verifier.verify(entry);
      double verifySeconds = (System.nanoTime() - verifyStart) / 1e9;
      out.printf(
          "  %s: %d events (%.1f MB JSON, %.1f MB in %d objects): %s in %.0f ms%n",
          run,
          result.events(),
          bytes / 1e6,
          result.bytes() / 1e6,
          entry.manifest().objects().size(),
          result.ok() ? "verified" : "FAILED " + result.problems(),
          verifySeconds * 1000);
    }
    out.printf(
        "  (the archiver finished it %.2f s after its last event was sent)%n", archiveSeconds);
    out.flush();
  }

  private ConfigurableApplicationContext startArchiver(String run) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--agentfeed.topics.prefix=" + run + ".",
                "--agentfeed.topics.partitions=" + partitions,
                "--agentfeed.security.jwt.secret=" + UUID.randomUUID() + UUID.randomUUID(),
                "--agentfeed.archiver.group-id=" + run,
                "--agentfeed.archiver.s3.endpoint=" + endpoint,
                "--agentfeed.archiver.s3.region=" + region,
                "--agentfeed.archiver.s3.access-key=" + accessKey,
                "--agentfeed.archiver.s3.secret-key=" + secretKey,
                "--agentfeed.archiver.s3.bucket=" + bucket,
                "--agentfeed.archiver.upload-concurrency=" + concurrency,
                "--logging.level.root=WARN",
                "--spring.main.banner-mode=off"));
    return ArchiverApplication.application().run(args.toArray(String[]::new));
  }

  private KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.LINGER_MS_CONFIG,
            5,
            ProducerConfig.BATCH_SIZE_CONFIG,
            256 * 1024,
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "lz4"),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  private void createTopic(String topic) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create " + topic, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void awaitFirstEvents(HealthIndicator health) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Map<String, Object> details = health.health().getDetails();
      if (((Number) details.get("bufferedSessions")).intValue() > 0
          || ((Number) details.get("replaysWritten")).longValue() > 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the archiver read nothing in " + WAIT);
      }
      LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
    }
  }

  private static void awaitReplays(HealthIndicator health, long count) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (((Number) health.health().getDetails().get("replaysWritten")).longValue() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the archiver did not finish in " + WAIT + ": " + health.health().getDetails());
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }

  private List<S3Object> replays(S3Client s3, String run) {
    return s3
        .listObjectsV2Paginator(
            b -> b.bucket(bucket).prefix("replays/org=" + BenchSessions.orgOf(run) + "/"))
        .contents()
        .stream()
        .filter(o -> o.key().endsWith("/replay.jsonl.gz"))
        .toList();
  }

  /**
   * PUTs the replays' own bytes again under other keys, on as many threads as the archiver uploads
   * with; seconds taken.
   */
  private double rawPuts(S3Client s3, String run, List<S3Object> replays) {
    List<byte[]> bodies = new ArrayList<>();
    for (S3Object replay : replays) {
      bodies.add(s3.getObjectAsBytes(b -> b.bucket(bucket).key(replay.key())).asByteArray());
    }
    ExecutorService threads = Executors.newFixedThreadPool(concurrency);
    try {
      long start = System.nanoTime();
      List<Future<?>> puts = new ArrayList<>();
      for (int i = 0; i < bodies.size(); i++) {
        byte[] body = bodies.get(i);
        String key = "raw-put/" + run + "/" + i + ".jsonl.gz";
        puts.add(
            threads.submit(
                () ->
                    s3.putObject(
                        b -> b.bucket(bucket).key(key).contentType("application/gzip"),
                        RequestBody.fromBytes(body))));
      }
      for (Future<?> put : puts) {
        put.get();
      }
      return (System.nanoTime() - start) / 1e9;
    } catch (ExecutionException e) {
      throw new IllegalStateException("a raw PUT failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      threads.shutdownNow();
    }
  }
}
