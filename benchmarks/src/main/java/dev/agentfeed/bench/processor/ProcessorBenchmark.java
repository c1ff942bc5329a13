package dev.agentfeed.bench.processor;

import dev.agentfeed.bench.BenchKafka;
import dev.agentfeed.bench.Latencies;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.StreamProcessorApplication;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stream processor alone on a real broker, against the plainest exactly-once loop on the same
 * broker in the same run. Throughput: a backlog of raw events (a typical mix, half tier 1) is
 * drained once by the processor (started in this JVM with topics of its own) and once by a raw
 * consume→produce loop (two outputs, transactions every commit interval). Both first drain the same
 * warm-up events and wait, paused, while the measured backlog is written and until the JIT compiler
 * threads are quiet; then each drains it alone, the processor first, timed from its resume to the
 * last event in its first output ({@code events.enriched}, the loop's first topic) as a {@code
 * read_uncommitted} reader sees it written ({@link OutputCount}), so that the 500 ms commits do not
 * round a drain of a second or two. Every output is then checked complete as committed (untimed).
 * The CPU both spend per event is printed too, as it is much less sensitive to other load, with the
 * CPU its JIT compiler threads used in the same window: a processor still being compiled is
 * measured at up to twice its steady CPU per event, so the default warm-up is long. Latency: tier-1
 * events at a fixed rate, sent → visible in {@code feed.live} to a {@code read_uncommitted} reader
 * (as the gateway reads) and to a {@code read_committed} one (as analysts read), beside a raw
 * produce→consume hop and the raw loop at the same rate; "added" is the gateway's path minus the
 * raw hop.
 */
@Command(
    name = "processor",
    mixinStandardHelpOptions = true,
    description =
        "Stream-processor throughput and tier-1 latency against a raw exactly-once loop on the"
            + " same broker (starts the processor in this JVM with its own topics).")
public final class ProcessorBenchmark implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--bootstrap", defaultValue = "localhost:9092", description = "Kafka")
  String bootstrap;

  @Option(names = "--events", defaultValue = "100000", description = "backlog for throughput")
  int events;

  @Option(
      names = "--warmup-events",
      defaultValue = "300000",
      description =
          "events drained before the clock starts, on both sides (store opening, JIT compilation:"
              + " the processor's code needs ~300k events before its compilers go quiet)")
  int warmupEvents;

  @Option(
      names = "--sessions",
      defaultValue = "32",
      description = "sessions the events spread over")
  int sessions;

  @Option(names = "--partitions", defaultValue = "6", description = "partitions of every topic")
  int partitions;

  @Option(names = "--text-bytes", defaultValue = "300", description = "text per event field")
  int textBytes;

  @Option(
      names = "--complete-messages",
      description =
          "end each message (37 or 38 chunks) with its message.completed, as an agent's stream"
              + " does; by default messages never complete and their chunks expire")
  boolean completeMessages;

  @Option(
      names = "--commit-interval",
      defaultValue = "PT0.5S",
      description = "both sides (the processor's default: 500 ms)")
  Duration commitInterval;

  @Option(names = "--rate", defaultValue = "1000", description = "tier-1 events/s for latency")
  double rate;

  @Option(names = "--warmup", defaultValue = "PT5S", description = "latency warm-up")
  Duration warmup;

  @Option(names = "--duration", defaultValue = "PT20S", description = "latency measured time")
  Duration duration;

  @Option(
      names = "--processor-arg",
      description = "extra argument for the processor, e.g. --agentfeed.processor.batch-window=1s")
  List<String> processorArgs = new ArrayList<>();

  @Option(
      names = "--broker-pid",
      defaultValue = "0",
      description = "the broker's process id, to print its CPU time per event (Linux)")
  long brokerPid;

  private static final Duration DRAIN_PATIENCE = Duration.ofMinutes(10);

  private final JsonMapper json = JsonMapper.builder().build();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String run = UUID.randomUUID().toString().substring(0, 8);
    Topics topics = new Topics("bench-" + run + ".");
    BenchKafka kafka = new BenchKafka(bootstrap);
    BenchEvents generator = new BenchEvents("bench", textBytes, completeMessages);
    String loopA = topics.prefix() + "loop.a";
    String loopB = topics.prefix() + "loop.b";
    String hop = topics.prefix() + "hop";
    String hopIn = topics.prefix() + "hop.in";
    String hopOut = topics.prefix() + "hop.out";
    List<String> all = new ArrayList<>(topics.all().stream().map(Topics.TopicSpec::name).toList());
    all.addAll(List.of(loopA, loopB, hop, hopIn, hopOut));
    kafka.createTopics(partitions, all.toArray(String[]::new));

    out.printf(
        "agentfeed processor benchmark: %d events over %d sessions, %d partitions, %d-byte texts,"
            + " commit interval %d ms; topics %s*%n",
        events, sessions, partitions, textBytes, commitInterval.toMillis(), topics.prefix());
    out.flush();
    preload(kafka, generator, topics.raw(), "warm-", warmupEvents);
    long total = (long) warmupEvents + events;

    CpuMeter cpu = new CpuMeter(brokerPid);
    Path stateDir = Files.createTempDirectory("agentfeed-bench-processor");
    Timed processorDrain;
    Timed loopDrain;
    Histogram processorLatency;
    Histogram committedLatency;
    Histogram hopLatency;
    Histogram loopLatency;
    try (ConfigurableApplicationContext processor = startProcessor(topics, run, stateDir);
        OutputCount processorOutput = new OutputCount(kafka, topics.enriched())) {
      KafkaStreams streams = processor.getBean(StreamsBuilderFactoryBean.class).getKafkaStreams();
      try (RawLoop loop =
              new RawLoop(kafka, topics.raw(), List.of(loopA, loopB), commitInterval, run)
                  .pauseAfter(warmupEvents)
                  .start();
          OutputCount loopOutput = new OutputCount(kafka, loopA)) {
        // Both sides drain the warm-up and wait, paused, for the measured backlog: each then runs
        // alone, in a JVM the other has warmed too. (The loop pauses itself: it reads faster than
        // a reader could tell it to stop.)
        processorOutput.await(warmupEvents, DRAIN_PATIENCE);
        streams.pause();
        loopOutput.await(warmupEvents, DRAIN_PATIENCE);
        preload(kafka, generator, topics.raw(), "tp-", events);
        processorDrain = timeDrain(processorOutput, streams::resume, cpu);
        awaitCommitted(kafka, topics);
        loopDrain = timeDrain(loopOutput, loop::resume, cpu);
        awaitTrue(() -> loop.committed() >= total, DRAIN_PATIENCE, "the raw loop");
      }
      List<String> latencySessions =
          IntStream.range(0, sessions).mapToObj(i -> "lat-" + run + "-" + i).toList();
      processorLatency =
          latency(kafka, generator, topics.raw(), topics.feedLive(), latencySessions, false);
      committedLatency =
          latency(kafka, generator, topics.raw(), topics.feedLive(), latencySessions, true);
      hopLatency = latency(kafka, generator, hop, hop, latencySessions, true);
      try (RawLoop loop =
          new RawLoop(kafka, hopIn, List.of(hopOut), commitInterval, run + "-lat").start()) {
        loopLatency = latency(kafka, generator, hopIn, hopOut, latencySessions, true);
      }
    }

    out.printf(
        "throughput (events/s over the backlog after the warm-up, each side paused after its"
            + " warm-up until the JIT compilers went quiet: processor %.0f s, raw loop %.0f s;"
            + " timed by the first output as written, every output then checked complete as"
            + " committed)%n",
        processorDrain.settleSeconds(), loopDrain.settleSeconds());
    out.printf(
        "  raw exactly-once loop, raw → 2 topics         %10.0f ev/s   (%d events)%n"
            + "  processor, raw → enriched + feed.live        %10.0f ev/s   (%d events)%n"
            + "  ratio processor / raw loop                   %10.2f   (target ≥ 0.50)%n",
        loopDrain.rate(),
        loopDrain.measured(),
        processorDrain.rate(),
        processorDrain.measured(),
        processorDrain.rate() / loopDrain.rate());
    out.printf(
        "CPU per 1,000 events (less sensitive to other load on the machine)%n"
            + "  raw exactly-once loop: %s%n"
            + "  processor: %s%n",
        loopDrain.cpu().per1000(loopDrain.measured()),
        processorDrain.cpu().per1000(processorDrain.measured()));
    out.printf("latency of tier-1 events at %.0f ev/s, sent → seen%n", rate);
    Latencies.printRow(out, "raw produce→consume (same topic)", hopLatency);
    Latencies.printRow(out, "raw exactly-once loop, read_committed", loopLatency);
    Latencies.printRow(out, "processor → feed.live, read_uncommitted", processorLatency);
    Latencies.printRow(out, "processor → feed.live, read_committed", committedLatency);
    out.printf(
        "  added by the processor for the gateway (read_uncommitted − raw hop): p50 %.2f ms,"
            + " p99 %.2f ms   (target p99 ≤ 15 ms)%n",
        Latencies.ms(processorLatency, 50) - Latencies.ms(hopLatency, 50),
        Latencies.ms(processorLatency, 99) - Latencies.ms(hopLatency, 99));
    out.flush();
    return 0;
  }

  private void preload(
      BenchKafka kafka, BenchEvents generator, String raw, String prefix, int count) {
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer(5)) {
      for (long n = 0; n < count; n++) {
        String session = prefix + (n % sessions);
        producer.send(
            new ProducerRecord<>(raw, bytes(session), generator.mixed(session, n / sessions)));
      }
      producer.flush();
    }
  }

  private ConfigurableApplicationContext startProcessor(Topics topics, String run, Path stateDir) {
    List<String> args = new ArrayList<>();
    args.add("--spring.kafka.bootstrap-servers=" + bootstrap);
    args.add("--spring.kafka.streams.application-id=bench-processor-" + run);
    args.add("--spring.kafka.streams.state-dir=" + stateDir);
    args.add("--server.port=0");
    args.add("--spring.main.banner-mode=off");
    args.add("--agentfeed.topics.prefix=" + topics.prefix());
    args.add("--agentfeed.topics.partitions=" + partitions);
    args.add("--agentfeed.processor.commit-interval=" + commitInterval.toMillis() + "ms");
    args.addAll(processorArgs);
    return StreamProcessorApplication.application().run(args.toArray(String[]::new));
  }

  /** A drain's rate over the events measured, and the CPU they took. */
  private record Timed(double rate, long measured, CpuMeter.Reading cpu, double settleSeconds) {}

  /**
   * Events/s and CPU per event over the backlog after the warm-up, drained at full speed by a side
   * that waits paused. It is resumed once the JIT compilers have gone quiet ({@link #settle}): a
   * burst of warm-up leaves them a queue of methods to compile, and a side measured before they
   * worked through it shared the two cores with them. The clock runs from the resume until the
   * whole backlog is in {@code output}.
   */
  private Timed timeDrain(OutputCount output, Runnable resume, CpuMeter cpu) {
    long settleStart = System.nanoTime();
    long done = settle(output);
    double settleSeconds = seconds(System.nanoTime() - settleStart);
    long total = (long) warmupEvents + events;
    CpuMeter.Reading before = cpu.read();
    long start = System.nanoTime();
    resume.run();
    long end = output.await(total, DRAIN_PATIENCE);
    long measured = total - done;
    return new Timed(
        measured / seconds(end - start), measured, cpu.read().minus(before), settleSeconds);
  }

  /**
   * Reads {@code output} a second at a time until a second passes with no new record and under 20
   * ms of CPU in the JIT compiler threads, or a minute; returns the records counted.
   */
  private static long settle(OutputCount output) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    long count = output.readFor(Duration.ZERO);
    double jit = CpuMeter.jitSeconds();
    while (System.nanoTime() < deadline) {
      long countNow = output.readFor(Duration.ofSeconds(1));
      double jitNow = CpuMeter.jitSeconds();
      boolean quiet = countNow == count && !(jitNow - jit >= 0.02);
      count = countNow;
      jit = jitNow;
      if (quiet) {
        break;
      }
    }
    return count;
  }

  /**
   * Waits until every event is in {@code events.enriched} and in {@code feed.live} (batches opened)
   * as a {@code read_committed} reader sees them: nothing lost, and the last batch sent.
   */
  private void awaitCommitted(BenchKafka kafka, Topics topics) {
    long total = (long) warmupEvents + events;
    long enriched = 0;
    long live = 0;
    long deadline = System.nanoTime() + DRAIN_PATIENCE.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer =
        kafka.assigned(false, topics.enriched(), topics.feedLive())) {
      while (enriched < total || live < total) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the processor committed only "
                  + enriched
                  + " enriched and "
                  + live
                  + " live events");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          if (record.topic().equals(topics.enriched())) {
            enriched++;
          } else {
            JsonNode value = json.readTree(record.value());
            live +=
                "batch".equals(value.path("type").asString("")) ? value.get("events").size() : 1;
          }
        }
      }
    }
  }

  /** Sent → seen at {@code rate}, open loop, after the warm-up. */
  private Histogram latency(
      BenchKafka kafka,
      BenchEvents generator,
      String to,
      String from,
      List<String> keys,
      boolean readCommitted)
      throws InterruptedException {
    Latencies latencies = new Latencies();
    AtomicBoolean reading = new AtomicBoolean(true);
    AtomicLong received = new AtomicLong();
    long total = (long) (rate * (warmup.toMillis() + duration.toMillis()) / 1000d);
    long warmupCount = (long) (rate * warmup.toMillis() / 1000d);
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.assigned(readCommitted, true, from);
        KafkaProducer<byte[], byte[]> producer = kafka.producer(0)) {
      Thread reader =
          new Thread(
              () -> {
                while (reading.get()) {
                  for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.nanoTime();
                    long sent =
                        BenchEvents.sentNanos(json.readTree(r.value()).path("id").asString(""));
                    if (sent > 0) {
                      latencies.recordNanos(now - sent);
                      received.incrementAndGet();
                    }
                  }
                }
              },
              "latency-reader");
      reader.start();
      long start = System.nanoTime();
      double intervalNanos = 1e9 / rate;
      for (long n = 0; n < total; n++) {
        long due = start + (long) (n * intervalNanos);
        while (System.nanoTime() < due) {
          LockSupport.parkNanos(Math.min(due - System.nanoTime(), 200_000));
        }
        if (n == warmupCount) {
          latencies.reset();
        }
        String key = keys.get((int) (n % keys.size()));
        producer.send(
            new ProducerRecord<>(to, bytes(key), generator.timed(key, System.nanoTime(), n)));
      }
      producer.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (received.get() < total && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
      reading.set(false);
      reader.join();
    }
    return latencies.snapshot();
  }

  private static void awaitTrue(BooleanSupplier condition, Duration patience, String what) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " did not finish within " + patience);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private static double seconds(long nanos) {
    return Math.max(nanos, 1) / 1e9;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
