package dev.agentfeed.bench;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.model.Topics;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Drives the running pipeline at a fixed rate with tier-1 events (one per POST) and measures, per
 * event, ingest accepted (the 202 arrived) → the gateway's WebSocket frame arrived; then measures
 * raw Kafka produce→consume on the same broker at the same rate and record size, and raw Kafka
 * throughput, and prints the ratios.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = "End-to-end latency and throughput of ingest → Kafka → processor → gateway.")
final class PipelineBenchmark implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--ingest", defaultValue = "http://localhost:8081")
  URI ingest;

  @Option(names = "--gateway", defaultValue = "ws://localhost:8080/v1/stream")
  URI gateway;

  @Option(
      names = "--bootstrap",
      defaultValue = "localhost:9092",
      description = "Kafka, for the raw reference")
  String bootstrap;

  @Option(names = "--secret", defaultValue = "dev-only-agentfeed-jwt-secret-0123456789abcdef")
  String secret;

  @Option(names = "--org", defaultValue = "demo")
  String org;

  @Option(names = "--rate", defaultValue = "1000", description = "events per second offered")
  double rate;

  @Option(names = "--duration", defaultValue = "PT30S", description = "measured time (ISO-8601)")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "PT5S", description = "time before measuring")
  Duration warmup;

  @Option(names = "--sessions", defaultValue = "8", description = "sessions the events spread over")
  int sessions;

  @Option(names = "--payload-bytes", defaultValue = "1000", description = "text per event")
  int payloadBytes;

  @Option(
      names = "--batch",
      defaultValue = "1",
      description = "events per POST (NDJSON when above 1); the rate stays in events per second")
  int batch;

  @Option(names = "--max-in-flight", defaultValue = "512", description = "HTTP requests at once")
  int maxInFlight;

  @Option(names = "--reference-records", defaultValue = "200000")
  long referenceRecords;

  private final JsonMapper json = JsonMapper.builder().build();
  private final Map<String, Timing> timings = new ConcurrentHashMap<>();
  private final Latencies acceptedToFrame = new Latencies();
  private final Latencies sentToFrame = new Latencies();
  private final AtomicLong framesBeforeAccepted = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final java.util.Queue<String> problems =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile boolean measuring;

  /** When one event was sent, accepted and seen; whichever of the last two comes second records. */
  private static final class Timing {
    final long sent;
    long accepted;
    long frame;

    Timing(long sent) {
      this.sent = sent;
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String runId = UUID.randomUUID().toString().substring(0, 8);
    TokenMinter minter = new TokenMinter(secret, Clock.systemUTC());
    String ingestToken = minter.mint(org, List.of(Scope.INGEST), null, Duration.ofHours(1));
    String readToken = minter.mint(org, List.of(Scope.READ), null, Duration.ofHours(1));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<String> sessionIds =
        java.util.stream.IntStream.range(0, sessions)
            .mapToObj(i -> "bench-" + runId + "-" + i)
            .toList();

    out.printf(
        "agentfeed pipeline benchmark: rate %.0f ev/s, %d per POST, %s warm-up + %s measured, %d"
            + " sessions, %d-byte texts%n",
        rate, batch, warmup, duration, sessions, payloadBytes);
    WebSocket socket = subscribe(http, readToken, sessionIds);
    long sent = drive(http, ingestToken, sessionIds, runId);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (delivered.get() < sent - rejected.get() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }
    Histogram pipeline = acceptedToFrame.snapshot();
    Histogram pipelineFromSend = sentToFrame.snapshot();
    double pipelineThroughput = pipeline.getTotalCount() / (duration.toMillis() / 1000d);

    problems.forEach(p -> out.println("gateway: " + p));
    out.println("running the raw Kafka reference on the same broker …");
    RawKafkaReference reference =
        new RawKafkaReference(bootstrap, Topics.DEFAULT_PREFIX + "bench.reference", payloadBytes);
    reference.createTopic(6);
    Histogram raw = reference.latencyAtRate(rate, warmup, duration).snapshot();
    RawKafkaReference.Throughput rawThroughput = reference.throughput(referenceRecords);

    out.println();
    out.println(
        "latency (HdrHistogram; pipeline = ingest 202 received → WebSocket frame received)");
    Latencies.printRow(out, "pipeline accepted→frame", pipeline);
    Latencies.printRow(out, "pipeline sent→frame", pipelineFromSend);
    Latencies.printRow(out, "raw Kafka produce→consume, same rate", raw);
    out.printf(
        "  ratio pipeline/raw: p50 %.1fx  p99 %.1fx  p99.9 %.1fx%n",
        ratio(pipeline, raw, 50), ratio(pipeline, raw, 99), ratio(pipeline, raw, 99.9));
    out.println("throughput");
    out.printf(
        "  pipeline delivered %.0f ev/s of %.0f offered (%d sent, %d rejected, %d not delivered,"
            + " %d frames before their 202)%n",
        pipelineThroughput,
        rate,
        sent,
        rejected.get(),
        Math.max(0, sent - rejected.get() - delivered.get()),
        framesBeforeAccepted.get());
    out.printf(
        "  raw Kafka (acks=all, idempotent, %d B records): produce %.0f rec/s, consume %.0f rec/s%n",
        payloadBytes,
        rawThroughput.produceRecordsPerSecond(),
        rawThroughput.consumeRecordsPerSecond());
    out.printf(
        "  ratio offered pipeline rate / raw produce throughput: %.3f%n",
        rate / rawThroughput.produceRecordsPerSecond());
    out.flush();
    return 0;
  }

  private static double ratio(Histogram a, Histogram b, double percentile) {
    return a.getValueAtPercentile(percentile)
        / (double) Math.max(1, b.getValueAtPercentile(percentile));
  }

  private WebSocket subscribe(HttpClient http, String token, List<String> sessionIds)
      throws InterruptedException {
    CountDownLatch subscribed = new CountDownLatch(sessionIds.size());
    WebSocket socket =
        http.newWebSocketBuilder()
            .header("Authorization", "Bearer " + token)
            .buildAsync(gateway, new FrameListener(subscribed))
            .join();
    for (int i = 0; i < sessionIds.size(); i++) {
      ObjectNode frame = json.createObjectNode();
      frame.put("op", "subscribe").put("id", "s" + i).put("sessionId", sessionIds.get(i));
      frame.put("from", "live");
      socket.sendText(json.writeValueAsString(frame), true).join();
    }
    if (!subscribed.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the gateway did not confirm the subscriptions");
    }
    return socket;
  }

  private long drive(HttpClient http, String token, List<String> sessionIds, String runId)
      throws InterruptedException {
    String text = "x".repeat(payloadBytes);
    long warmupCount = (long) (rate * warmup.toMillis() / 1000d);
    long total = warmupCount + (long) (rate * duration.toMillis() / 1000d);
    Semaphore inFlight = new Semaphore(maxInFlight);
    // One POST carries `batch` events and is due when its first event is.
    Pacer pacer = new Pacer(System.nanoTime(), rate / batch);
    for (long first = 0, post = 0; first < total; first += batch, post++) {
      pacer.awaitTurn(post);
      if (first >= warmupCount && !measuring) {
        acceptedToFrame.reset();
        sentToFrame.reset();
        measuring = true;
      }
      long last = Math.min(first + batch, total);
      List<String> ids = new ArrayList<>();
      StringBuilder body = new StringBuilder();
      for (long n = first; n < last; n++) {
        String id = runId + "-" + n;
        String sessionId = sessionIds.get((int) (n % sessionIds.size()));
        ObjectNode event = json.createObjectNode();
        event.put("id", id).put("type", "message.chunk").put("orgId", org);
        event.put("sessionId", sessionId).put("ts", Instant.now().toString());
        event
            .putObject("data")
            .put("messageId", "m-" + sessionId)
            .put("chunkIndex", n)
            .put("text", text);
        body.append(json.writeValueAsString(event)).append('\n');
        ids.add(id);
      }
      HttpRequest request =
          HttpRequest.newBuilder(ingest.resolve("/v1/events"))
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", batch == 1 ? "application/json" : "application/x-ndjson")
              .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
              .build();
      inFlight.acquire();
      long sentAt = System.nanoTime();
      ids.forEach(id -> timings.put(id, new Timing(sentAt)));
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, error) -> {
                inFlight.release();
                if (error != null || response.statusCode() != 202) {
                  rejected.addAndGet(ids.size());
                  ids.forEach(timings::remove);
                  return;
                }
                long now = System.nanoTime();
                ids.forEach(id -> accepted(id, now));
              });
    }
    inFlight.acquire(maxInFlight);
    return total - warmupCount;
  }

  private void accepted(String id, long now) {
    Timing timing = timings.get(id);
    if (timing == null) {
      return;
    }
    synchronized (timing) {
      timing.accepted = now;
      if (timing.frame != 0) {
        framesBeforeAccepted.incrementAndGet();
        record(id, timing);
      }
    }
  }

  private void frame(String id, long now) {
    Timing timing = timings.get(id);
    if (timing == null) {
      return;
    }
    synchronized (timing) {
      timing.frame = now;
      if (timing.accepted != 0) {
        record(id, timing);
      }
    }
  }

  private void record(String id, Timing timing) {
    timings.remove(id);
    if (measuring) {
      acceptedToFrame.recordNanos(timing.frame - timing.accepted);
      sentToFrame.recordNanos(timing.frame - timing.sent);
      delivered.incrementAndGet();
    }
  }

  /** Collects text frames (which may arrive in parts) and timestamps event frames. */
  private final class FrameListener implements WebSocket.Listener {
    private final CountDownLatch subscribed;
    private final StringBuilder partial = new StringBuilder();

    FrameListener(CountDownLatch subscribed) {
      this.subscribed = subscribed;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      long now = System.nanoTime();
      partial.append(data);
      if (last) {
        JsonNode frame = json.readTree(partial.toString());
        partial.setLength(0);
        String op = frame.path("op").asString("");
        switch (op) {
          case "subscribed" -> subscribed.countDown();
          case "event" -> frame(frame.path("event").path("id").asString(""), now);
          case "batch" -> frame.path("events").forEach(e -> frame(e.path("id").asString(""), now));
          case "error" -> problems.add(frame.toString());
          default -> {
            // heartbeats and pongs carry nothing to measure
          }
        }
      }
      socket.request(1);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      problems.add("closed the WebSocket with " + statusCode + " " + reason);
      return null;
    }
  }
}
