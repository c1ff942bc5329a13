package dev.agentfeed.bench.gateway;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.Tier;
import dev.agentfeed.model.Topics;
import dev.agentfeed.testing.KafkaTestBroker;
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
import tools.jackson.databind.node.ObjectNode;

/**
 * One gateway (in a JVM of its own) under many WebSocket dashboards: N clients spread over S
 * sessions, each subscribed live to one; tier-1 events written to {@code feed.live} at a fixed
 * rate, as the stream processor would write them, with {@code receivedAt} = the time of writing.
 * Prints the gateway's heap and RSS per idle connection, then delivered frames/s and the latency
 * from {@code receivedAt} to a client's receipt (p50/p99/p99.9), once with every client reading and
 * once with slow clients added that read nothing: they must be cut off while the others keep their
 * figures.
 */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description =
        "Gateway fan-out: frames/s, e2e latency, memory per connection, with and without slow"
            + " clients (starts one gateway in a child JVM).")
public final class GatewayBenchmark implements Callable<Integer> {

  private static final String ORG = "bench";

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

  @Option(names = "--rate", defaultValue = "10000", description = "events/s written to feed.live")
  double rate;

  @Option(names = "--text-bytes", defaultValue = "200", description = "text per event")
  int textBytes;

  @Option(names = "--partitions", defaultValue = "6", description = "partitions of feed.live")
  int partitions;

  @Option(names = "--warmup", defaultValue = "PT5S", description = "warm-up of each phase")
  Duration warmup;

  @Option(names = "--duration", defaultValue = "PT20S", description = "measured time per phase")
  Duration duration;

  @Option(names = "--http-clients", defaultValue = "8", description = "client-side selectors")
  int httpClients;

  @Option(names = "--gateway-jvm-arg", description = "JVM argument of the gateway, e.g. -Xmx1g")
  List<String> gatewayJvmArgs = new ArrayList<>(List.of("-Xmx1g"));

  private final EventCodec codec = new EventCodec();

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
            + " (%.0f frames/s offered), %d-byte texts, %d partitions, Kafka %s, topics %s*%n",
        clients,
        sessions,
        slowClients,
        rate,
        rate * clients / sessions,
        textBytes,
        partitions,
        kafka,
        topics.prefix());
    out.flush();
    try (GatewayProcess gateway =
            GatewayProcess.start(
                gatewayJvmArgs,
                List.of(
                    "--spring.kafka.bootstrap-servers=" + kafka,
                    "--agentfeed.topics.prefix=" + topics.prefix(),
                    "--agentfeed.topics.partitions=" + partitions,
                    "--agentfeed.security.jwt.secret=" + secret,
                    "--logging.level.root=WARN"));
        BenchClients readers = new BenchClients(httpClients);
        BenchClients slow = new BenchClients(1);
        Producer<String, byte[]> producer = producer(kafka)) {
      out.printf(
          "gateway pid %d on port %d, log %s%n", gateway.pid(), gateway.port(), gateway.log());
      URI uri = URI.create("ws://localhost:" + gateway.port() + "/v1/stream");
      String token =
          new TokenMinter(secret, Clock.systemUTC())
              .mint(ORG, List.of(Scope.READ), null, Duration.ofHours(12));

      long heapBefore = gateway.heapAfterGc();
      long rssBefore = gateway.rssBytes();
      readers.connect(uri, token, sessionIds, clients, false);
      long heapIdle = gateway.heapAfterGc();
      long rssIdle = gateway.rssBytes();
      out.printf(
          "memory per idle connection (subscribed): heap %.1f KB, RSS %.1f KB   (target ≤ 50 KB)"
              + "%n  heap %d → %d MB, RSS %d → %d MB for %d connections%n",
          (heapIdle - heapBefore) / 1024d / clients,
          (rssIdle - rssBefore) / 1024d / clients,
          heapBefore >> 20,
          heapIdle >> 20,
          rssBefore >> 20,
          rssIdle >> 20,
          clients);
      out.flush();

      phase(out, "all clients reading", producer, topics.feedLive(), sessionIds, readers);
      slow.connect(uri, token, sessionIds, slowClients, true);
      phase(
          out,
          "with " + slowClients + " slow clients",
          producer,
          topics.feedLive(),
          sessionIds,
          readers);
      out.printf(
          "  slow clients closed by the gateway: %d of %d; reading clients closed: %d%n",
          slow.closedByServer(), slowClients, readers.closedByServer());
      out.printf("gateway RSS at the end: %d MB%n", gateway.rssBytes() >> 20);
      out.flush();
    } finally {
      if (broker != null) {
        broker.destroy();
      }
    }
    return 0;
  }

  private void phase(
      PrintWriter out,
      String label,
      Producer<String, byte[]> producer,
      String topic,
      List<String> sessionIds,
      BenchClients readers)
      throws InterruptedException {
    AtomicBoolean running = new AtomicBoolean(true);
    Thread writer = new Thread(() -> write(producer, topic, sessionIds, running), "bench-writer");
    writer.start();
    TimeUnit.NANOSECONDS.sleep(warmup.toNanos());
    readers.latency().reset();
    long framesBefore = readers.frames();
    long start = System.nanoTime();
    TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    long frames = readers.frames() - framesBefore;
    double seconds = (System.nanoTime() - start) / 1e9;
    Histogram latency = readers.latency().getIntervalHistogram();
    running.set(false);
    writer.join();
    out.printf(
        "%s: %.0f frames/s delivered (target ≥ 100000); e2e receivedAt → client"
            + " p50 %.2f ms, p99 %.2f ms (target ≤ 50), p99.9 %.2f ms, max %.2f ms (n=%d)%n",
        label,
        frames / seconds,
        latency.getValueAtPercentile(50) / 1000d,
        latency.getValueAtPercentile(99) / 1000d,
        latency.getValueAtPercentile(99.9) / 1000d,
        latency.getMaxValue() / 1000d,
        latency.getTotalCount());
    out.flush();
  }

  /** Open-loop: event n is due at start + n / rate, whatever happened to the ones before. */
  private void write(
      Producer<String, byte[]> producer,
      String topic,
      List<String> sessionIds,
      AtomicBoolean running) {
    long[] seqs = new long[sessionIds.size()];
    String text = "x".repeat(textBytes);
    double interval = 1e9 / rate;
    long start = System.nanoTime();
    for (long n = 0; running.get(); n++) {
      long due = start + (long) (n * interval);
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(Math.min(due - now, 200_000));
      }
      int s = (int) (n % sessionIds.size());
      String session = sessionIds.get(s);
      ObjectNode data = codec.mapper().createObjectNode();
      data.put("messageId", "m-" + n);
      data.put("text", text);
      Instant at = Instant.now();
      EventEnvelope event =
          new EventEnvelope(
              session + "-" + n,
              EventType.MESSAGE_CHUNK,
              ORG,
              session,
              "executor",
              "sandbox/bench",
              at,
              data,
              at,
              ++seqs[s],
              Tier.IMMEDIATE.number());
      producer.send(new ProducerRecord<>(topic, session, codec.toBytes(event)));
    }
    producer.flush();
  }

  private static Producer<String, byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ProducerConfig.LINGER_MS_CONFIG,
            1,
            ProducerConfig.ACKS_CONFIG,
            "all"),
        new StringSerializer(),
        new ByteArraySerializer());
  }
}
