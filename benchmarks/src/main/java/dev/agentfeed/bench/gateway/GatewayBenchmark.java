package dev.agentfeed.bench.gateway;

import dev.agentfeed.bench.JitThreads;
import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.Topics;
import dev.agentfeed.testing.KafkaTestBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * One gateway (in a JVM of its own) under many WebSocket dashboards: N clients spread over S
 * sessions, each subscribed live to one; tier-1 events written to {@code feed.live} at a fixed
 * rate, as the stream processor would write them, with {@code receivedAt} = the time of writing.
 * Prints the gateway's heap and RSS per idle connection, then delivered frames/s and the latency
 * from {@code receivedAt} to a client's receipt (p50/p99/p99.9), once with every client reading and
 * once with slow clients added that read nothing, as the measured window starts: they must be cut
 * off while the others keep their figures. The clients (Netty, on one event-loop thread by
 * default), the writer and, with {@code --embedded-kafka}, the broker share this JVM and the
 * machine's cores with the gateway, so each phase also prints where the CPU went and how often the
 * broker was asked to produce and fetch. A {@link ReferenceReader}, a plain consumer of {@code
 * feed.live} in this JVM, measures in the same run what any reader of this broker gets under this
 * load; the clients' figures minus its figures are the gateway's share.
 */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description =
        "Gateway fan-out: frames/s, e2e latency, memory per connection, with and without slow"
            + " clients (starts one gateway in a child JVM).")
public final class GatewayBenchmark implements Callable<Integer> {

  private static final String ORG = "bench";
  static final String SLOW_CLIENT_CLOSES = "agentfeed_gateway_slow_client_closes_total";
  static final String FEED_LAG = "agentfeed_gateway_feed_lag_seconds";
  static final String E2E_LATENCY = "agentfeed_gateway_e2e_latency_seconds";
  // The stream processor writes feed.live with linger 2 ms: 1 ms here is no kinder to the figure.
  private static final int WRITER_LINGER_MS = 1;

  @Spec CommandSpec spec;

  @Option(names = "--bootstrap", defaultValue = "localhost:9092", description = "Kafka")
  String bootstrap;

  @Option(
      names = "--embedded-kafka",
      description = "start a single in-process broker instead of using --bootstrap")
  boolean embeddedKafka;

  @Option(names = "--clients", defaultValue = "1000", description = "reading WebSocket clients")
  int clients;

  @Option(names = "--sessions", defaultValue = "100", description = "sessions they spread over")
  int sessions;

  @Option(names = "--slow-clients", defaultValue = "10", description = "clients that stop reading")
  int slowClients;

  @Option(
      names = "--slow-org-wide",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "slow clients subscribe to the whole organisation (every event), so that they fill"
              + " their socket and outbox within seconds rather than minutes (default: true)")
  boolean slowOrgWide;

  @Option(names = "--rate", defaultValue = "10000", description = "events/s written to feed.live")
  double rate;

  @Option(names = "--text-bytes", defaultValue = "200", description = "text per event")
  int textBytes;

  @Option(names = "--partitions", defaultValue = "6", description = "partitions of feed.live")
  int partitions;

  @Option(names = "--warmup", defaultValue = "PT5S", description = "warm-up of each phase")
  Duration warmup;

  @Option(
      names = "--jit-quiet-within",
      defaultValue = "PT3M",
      description =
          "after the warm-up, wait up to this long for a second in which the JIT compiler threads"
              + " of both JVMs use under 20 ms of CPU (PT0S: do not wait)")
  Duration jitQuietWithin;

  @Option(
      names = "--catch-up",
      defaultValue = "PT60S",
      description = "after the warm-up, how long to wait at most for the clients to catch up")
  Duration catchUp;

  @Option(names = "--duration", defaultValue = "PT20S", description = "measured time per phase")
  Duration duration;

  @Option(
      names = "--client-threads",
      defaultValue = "2",
      paramLabel = "<threads>",
      description =
          "event-loop threads of the reading clients' Netty WebSocket connections (all clients"
              + " share them; the slow clients have one of their own; default: 2, as one loop for"
              + " 1,000 clients added its own queueing to their tail latency). Replaces"
              + " --http-clients of the JDK-client version.")
  int clientThreads;

  @Option(
      names = "--histogram",
      defaultValue = "0",
      description = "print the N classes that grow most per idle connection (jcmd)")
  int histogram;

  @Option(
      names = "--gateway-jvm-arg",
      description =
          "a JVM option of the gateway (repeatable); given at all, these replace the defaults, the"
              + " gateway's recommended options -Xms1g -Xmx1g -XX:MaxGCPauseMillis=50")
  List<String> gatewayJvmArgs =
      new ArrayList<>(List.of("-Xms1g", "-Xmx1g", "-XX:MaxGCPauseMillis=50"));

  @Option(
      names = "--gateway-property",
      paramLabel = "<name=value>",
      description =
          "a setting of the gateway, e.g. agentfeed.gateway.sender-threads=4 (repeatable)")
  List<String> gatewayProperties = new ArrayList<>();

  private final EventCodec codec = new EventCodec();
  // Frames written for the reading clients so far, over all phases: what they should have got.
  private final LongAdder offered = new LongAdder();
  // Events written so far and the last seq per session, over all phases (one writer at a time;
  // volatile so that the benchmark's thread reads the count mid-phase).
  private volatile long written;
  private long[] seqs;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    EmbeddedKafkaBroker broker = embeddedKafka ? KafkaTestBroker.start(partitions) : null;
    String kafka = broker != null ? broker.getBrokersAsString() : bootstrap;
    String run = UUID.randomUUID().toString().substring(0, 8);
    Topics topics = new Topics("bench-gw-" + run + ".");
    String secret = "bench-only-" + UUID.randomUUID() + "-" + UUID.randomUUID();
    List<String> sessionIds =
        IntStream.range(0, sessions).mapToObj(i -> "ses-" + run + "-" + i).toList();
    out.printf(
        "agentfeed gateway benchmark: %d clients over %d sessions (+%d slow), %.0f events/s"
            + " (%.0f frames/s offered), %d-byte texts, %d partitions, topics %s*%n"
            + "  configuration: %s; writer in this JVM (linger %d ms, acks=all, receivedAt stamped"
            + " before send); gateway in a child JVM (%s); clients in this JVM: Netty WebSocket,"
            + " %d event-loop thread(s) for the %d reading clients%n",
        clients,
        sessions,
        slowClients,
        rate,
        rate * clients / sessions,
        textBytes,
        partitions,
        topics.prefix(),
        broker != null
            ? "embedded Kafka broker in this JVM at " + kafka + " (--embedded-kafka)"
            : "external Kafka broker at " + kafka + " (--bootstrap)",
        WRITER_LINGER_MS,
        String.join(" ", gatewayJvmArgs)
            + (gatewayProperties.isEmpty() ? "" : ", " + String.join(" ", gatewayProperties)),
        clientThreads,
        clients);
    out.flush();
    List<String> gatewayArgs =
        new ArrayList<>(
            List.of(
                "--spring.kafka.bootstrap-servers=" + kafka,
                "--agentfeed.topics.prefix=" + topics.prefix(),
                "--agentfeed.topics.partitions=" + partitions,
                "--agentfeed.security.jwt.secret=" + secret,
                "--logging.level.root=WARN"));
    gatewayProperties.forEach(property -> gatewayArgs.add("--" + property));
    try (GatewayProcess gateway = GatewayProcess.start(gatewayJvmArgs, gatewayArgs);
        BenchClients readers = new BenchClients(clientThreads, "reader");
        BenchClients slow = new BenchClients(1, "slow");
        Producer<String, byte[]> producer = producer(kafka);
        ReferenceReader reference =
            ReferenceReader.start(kafka, topics.feedLive(), "bench-gw-reference-" + run)) {
      out.printf(
          "gateway pid %d on port %d, log %s%n", gateway.pid(), gateway.port(), gateway.log());
      out.flush();
      CpuSplit cpu = new CpuSplit(gateway);
      URI uri = URI.create("ws://localhost:" + gateway.port() + "/v1/stream");
      String token =
          new TokenMinter(secret, Clock.systemUTC())
              .mint(ORG, List.of(Scope.READ), null, Duration.ofHours(12));

      // Memory is measured twice, at half and at all of the clients: the growth between the two
      // is what one more connection costs, without what the first connections bring once (Tomcat's
      // cache of request processors, a first-use class or pool).
      long heapBefore = gateway.heapAfterGc();
      long rssBefore = gateway.rssBytes();
      int half = clients / 2;
      readers.connect(uri, token, sessionIds, 0, half, false, false);
      long heapHalf = gateway.heapAfterGc();
      long rssHalf = gateway.rssBytes();
      Map<String, long[]> classesHalf = histogram > 0 ? gateway.classHistogram() : Map.of();
      readers.connect(uri, token, sessionIds, half, clients - half, false, false);
      long heapIdle = gateway.heapAfterGc();
      long rssIdle = gateway.rssBytes();
      Map<String, long[]> classesIdle = histogram > 0 ? gateway.classHistogram() : Map.of();
      int added = clients - half;
      out.printf(
          "memory per idle connection (subscribed), from %d to %d connections: heap %.1f KB,"
              + " RSS %.1f KB   (target ≤ 50 KB)%n"
              + "  from none to %d: heap %.1f KB, RSS %.1f KB per connection (includes what the"
              + " first connections bring once); heap %d → %d → %d MB, RSS %d → %d → %d MB%n",
          half,
          clients,
          (heapIdle - heapHalf) / 1024d / added,
          (rssIdle - rssHalf) / 1024d / added,
          clients,
          (heapIdle - heapBefore) / 1024d / clients,
          (rssIdle - rssBefore) / 1024d / clients,
          heapBefore >> 20,
          heapHalf >> 20,
          heapIdle >> 20,
          rssBefore >> 20,
          rssHalf >> 20,
          rssIdle >> 20);
      printGrowth(out, classesHalf, classesIdle, added);
      out.flush();

      phase(
          out,
          "all clients reading",
          producer,
          topics.feedLive(),
          sessionIds,
          readers,
          reference,
          gateway,
          cpu,
          null);
      double cutOffBefore = gateway.counter(SLOW_CLIENT_CLOSES);
      CutOffWatch[] cutOffs = new CutOffWatch[1];
      // The slow clients come as the measured window starts, so that the time they hold the
      // gateway's resources before it cuts them off is measured, not warmed up through.
      phase(
          out,
          "with " + slowClients + " slow clients (subscribed as the measured window started)",
          producer,
          topics.feedLive(),
          sessionIds,
          readers,
          reference,
          gateway,
          cpu,
          () -> {
            slow.connect(uri, token, sessionIds, 0, slowClients, true, slowOrgWide);
            cutOffs[0] = new CutOffWatch(gateway, cutOffBefore + slowClients);
          });
      CutOffWatch cutOff = cutOffs[0];
      // A slow client reads nothing, so it never sees the close either: count on the gateway.
      out.printf(
          "  slow clients cut off by the gateway (%s): %.0f of %d, %s; reading clients closed:"
              + " %d%n",
          SLOW_CLIENT_CLOSES,
          gateway.counter(SLOW_CLIENT_CLOSES) - cutOffBefore,
          slowClients,
          cutOff.describe(),
          readers.closedByServer());
      cutOff.stop();
      out.printf("gateway RSS at the end: %d MB%n", gateway.rssBytes() >> 20);
      out.flush();
    } finally {
      if (broker != null) {
        broker.destroy();
      }
    }
    return 0;
  }

  /**
   * Waits, at most {@code --jit-quiet-within}, for a second in which the JIT compiler threads of
   * this JVM and of the gateway's use under 20 ms of CPU together: under load a JVM keeps compiling
   * for a minute or more, and a window measured meanwhile shares the two cores with its compilers
   * (a fifth of a core in the gateway 50 s after it started, in session 11). Returns the seconds
   * waited, or NaN if they never went quiet.
   */
  private double awaitQuietJit(GatewayProcess gateway) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + jitQuietWithin.toNanos();
    double before = JitThreads.ownSeconds() + JitThreads.seconds(gateway.pid());
    while (System.nanoTime() < deadline) {
      TimeUnit.SECONDS.sleep(1);
      double now = JitThreads.ownSeconds() + JitThreads.seconds(gateway.pid());
      if (Double.isNaN(now) || now - before < 0.02) {
        return (System.nanoTime() - start) / 1e9;
      }
      before = now;
    }
    return jitQuietWithin.isZero() ? 0 : Double.NaN;
  }

  /**
   * One measured phase. Before measuring, the writer runs for the warm-up time (the gateway's JIT,
   * its pools and the clients' warm up), then until the JIT compilers of both JVMs are quiet
   * ({@link #awaitQuietJit}), and then until the clients are caught up, that is have got all but
   * the frames of the last 100 ms of what was offered, so that a backlog left from the start does
   * not pass for latency; at most {@code --catch-up} long, after which the phase is measured anyway
   * and says it never caught up. {@code atMeasuredStart}, unless null, runs as the measured window
   * starts, within it.
   */
  private void phase(
      PrintWriter out,
      String label,
      Producer<String, byte[]> producer,
      String topic,
      List<String> sessionIds,
      BenchClients readers,
      ReferenceReader reference,
      GatewayProcess gateway,
      CpuSplit cpu,
      MeasuredStart atMeasuredStart)
      throws InterruptedException, IOException {
    AtomicBoolean running = new AtomicBoolean(true);
    long started = System.nanoTime();
    Thread writer = new Thread(() -> write(producer, topic, sessionIds, running), "bench-writer");
    writer.start();
    TimeUnit.NANOSECONDS.sleep(warmup.toNanos());
    double jitQuietAfter = awaitQuietJit(gateway);
    long slack = (long) (rate * clients / sessions / 10);
    long catchUpDeadline = System.nanoTime() + catchUp.toNanos();
    long behind;
    while ((behind = offered.sum() - readers.frames()) > slack
        && System.nanoTime() < catchUpDeadline) {
      TimeUnit.MILLISECONDS.sleep(100);
    }
    double warmedUp = (System.nanoTime() - started) / 1e9;
    readers.latency().reset();
    reference.latency().reset();
    long referenceBefore = reference.records();
    long framesBefore = readers.frames();
    long offeredBefore = offered.sum();
    long writtenBefore = written;
    Map<String, Long> requestsBefore = BrokerRequests.read();
    CpuSplit.Reading cpuBefore = cpu.read();
    BucketHistogram lagBefore = gateway.buckets(FEED_LAG);
    BucketHistogram sentBefore = gateway.buckets(E2E_LATENCY);
    long start = System.nanoTime();
    if (atMeasuredStart != null) {
      atMeasuredStart.run();
    }
    TimeUnit.NANOSECONDS.sleep(duration.toNanos() - (System.nanoTime() - start));
    long frames = readers.frames() - framesBefore;
    long offeredFrames = offered.sum() - offeredBefore;
    long elapsed = System.nanoTime() - start;
    CpuSplit.Reading cpuUsed = cpu.read().minus(cpuBefore);
    BucketHistogram lag = gateway.buckets(FEED_LAG).minus(lagBefore);
    BucketHistogram sent = gateway.buckets(E2E_LATENCY).minus(sentBefore);
    Map<String, Long> requests = BrokerRequests.since(requestsBefore, BrokerRequests.read());
    long events = written - writtenBefore;
    double seconds = elapsed / 1e9;
    Histogram latency = readers.latency().getIntervalHistogram();
    Histogram referenceLatency = reference.latency().getIntervalHistogram();
    long referenceRecords = reference.records() - referenceBefore;
    long behindAtEnd = offered.sum() - readers.frames();
    running.set(false);
    writer.join();
    out.printf(
        "%s: %.0f frames/s delivered of %.0f offered (target ≥ 100000); e2e receivedAt → client"
            + " p50 %.2f ms, p99 %.2f ms (target ≤ 50), p99.9 %.2f ms, max %.2f ms (n=%d)%n"
            + "  measured %.1f s after %.1f s of warm-up (%s; %s; %d frames behind then, %d at"
            + " the end); deliveries so far: %d gaps, %d duplicates, %d unreadable%n",
        label,
        frames / seconds,
        offeredFrames / seconds,
        latency.getValueAtPercentile(50) / 1000d,
        latency.getValueAtPercentile(99) / 1000d,
        latency.getValueAtPercentile(99.9) / 1000d,
        latency.getMaxValue() / 1000d,
        latency.getTotalCount(),
        seconds,
        warmedUp,
        Double.isNaN(jitQuietAfter)
            ? "the JIT compilers were still busy after " + jitQuietWithin.toSeconds() + " s more"
            : String.format(
                "the JIT compilers quiet %.0f s after the fixed warm-up", jitQuietAfter),
        behind > slack ? "NOT caught up, the gateway falls behind" : "caught up",
        behind,
        behindAtEnd,
        readers.gaps(),
        readers.duplicates(),
        readers.malformed());
    out.printf(
        "  reference reader (plain KafkaConsumer of feed.live in this JVM, read_uncommitted,"
            + " Kafka's fetch defaults): receivedAt → poll return p50 %.2f ms, p99 %.2f ms,"
            + " p99.9 %.2f ms, max %.2f ms (n=%d of %d events written); clients minus reference:"
            + " p50 %+.2f ms, p99 %+.2f ms, p99.9 %+.2f ms (the gateway's share)%n",
        referenceLatency.getValueAtPercentile(50) / 1000d,
        referenceLatency.getValueAtPercentile(99) / 1000d,
        referenceLatency.getValueAtPercentile(99.9) / 1000d,
        referenceLatency.getMaxValue() / 1000d,
        referenceRecords,
        events,
        (latency.getValueAtPercentile(50) - referenceLatency.getValueAtPercentile(50)) / 1000d,
        (latency.getValueAtPercentile(99) - referenceLatency.getValueAtPercentile(99)) / 1000d,
        (latency.getValueAtPercentile(99.9) - referenceLatency.getValueAtPercentile(99.9)) / 1000d);
    out.printf(
        "  the gateway's own histograms (bucket bounds): receivedAt → frames queued (%s) p50 ≤ %s,"
            + " p99 ≤ %s, p99.9 ≤ %s; receivedAt → frame on the socket (%s) p50 ≤ %s, p99 ≤ %s, p99.9 ≤"
            + " %s%n",
        FEED_LAG,
        lag.atPercentile(50),
        lag.atPercentile(99),
        lag.atPercentile(99.9),
        E2E_LATENCY,
        sent.atPercentile(50),
        sent.atPercentile(99),
        sent.atPercentile(99.9));
    out.printf(
        "  %s; gateway %.1f µs CPU per delivered frame%n",
        cpuUsed.describe(Duration.ofNanos(elapsed), embeddedKafka),
        cpuUsed.gateway() * 1e6 / Math.max(1, frames));
    if (!requests.isEmpty()) {
      long produce = requests.getOrDefault("Produce", 0L);
      // "Fetch" counts every fetch, "FetchConsumer" those of consumers: the gateway's and the
      // reference reader's.
      long fetch = requests.getOrDefault("FetchConsumer", 0L);
      long other =
          requests.entrySet().stream()
              .filter(e -> !e.getKey().startsWith("Fetch") && !e.getKey().equals("Produce"))
              .mapToLong(Map.Entry::getValue)
              .sum();
      out.printf(
          "  broker requests/s: Produce %.0f (the writer; %.1f events each), FetchConsumer %.0f"
              + " (the gateway and the reference reader; %.1f events each), other %.0f%n",
          produce / seconds,
          events / (double) Math.max(1, produce),
          fetch / seconds,
          events / (double) Math.max(1, fetch),
          other / seconds);
    }
    out.flush();
  }

  /** The classes whose heap grew most with the idle connections, per connection. */
  private void printGrowth(
      PrintWriter out, Map<String, long[]> before, Map<String, long[]> after, int connections) {
    if (histogram <= 0) {
      return;
    }
    out.printf("  heap growth by class, per connection (bytes, instances):%n");
    after.entrySet().stream()
        .map(
            e -> {
              long[] was = before.getOrDefault(e.getKey(), new long[2]);
              return Map.entry(
                  e.getKey(), new long[] {e.getValue()[0] - was[0], e.getValue()[1] - was[1]});
            })
        .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
        .limit(histogram)
        .forEach(
            e ->
                out.printf(
                    "  %9.1f  %7.2f  %s%n",
                    e.getValue()[0] / (double) connections,
                    e.getValue()[1] / (double) connections,
                    e.getKey()));
  }

  /** Open-loop: event n is due at start + n / rate, whatever happened to the ones before. */
  private void write(
      Producer<String, byte[]> producer,
      String topic,
      List<String> sessionIds,
      AtomicBoolean running) {
    if (seqs == null) {
      seqs = new long[sessionIds.size()];
    }
    EventTemplate template = new EventTemplate(codec, ORG, textBytes);
    double interval = 1e9 / rate;
    long start = System.nanoTime();
    for (long n = 0; running.get(); n++) {
      long due = start + (long) (n * interval);
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(Math.min(due - now, 200_000));
      }
      // Ids and seqs go on from phase to phase: a session's seq never repeats.
      long number = written++;
      int s = (int) (number % sessionIds.size());
      String session = sessionIds.get(s);
      producer.send(
          new ProducerRecord<>(
              topic, session, template.bytes(session, number, ++seqs[s], Instant.now())));
      // Reading client i reads session i % sessions.
      offered.add(clients / sessionIds.size() + (s < clients % sessionIds.size() ? 1 : 0));
    }
    producer.flush();
  }

  private static Producer<String, byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ProducerConfig.CLIENT_ID_CONFIG,
            "bench-writer",
            ProducerConfig.LINGER_MS_CONFIG,
            WRITER_LINGER_MS,
            ProducerConfig.ACKS_CONFIG,
            "all"),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /** What a phase does as its measured window starts. */
  @FunctionalInterface
  private interface MeasuredStart {
    void run() throws InterruptedException;
  }
}
