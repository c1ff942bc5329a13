package dev.agentfeed.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.e2e.RunningPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.node.ObjectNode;

/**
 * How the session page copes with a large session and a fast stream, in a real Chromium: the
 * figures (load to first card, load to a 10,000-event session shown, the page's own CPU time, long
 * frames while 200 events/s stream in) are logged and written to {@code
 * target/browser/measurements.txt}, not asserted — they depend on the machine. What is asserted is
 * that every event is shown once, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardPerformanceTest {

  private static final Logger log = LoggerFactory.getLogger(DashboardPerformanceTest.class);
  private static final int SESSION_SIZE = 10_000;
  private static final int STREAM_RATE = 200;
  private static final int STREAM_SECONDS = 10;
  private static final Duration PATIENCE = Duration.ofMinutes(4);

  private final String org = "perf-" + UUID.randomUUID().toString().substring(0, 8);
  private RunningPipeline pipeline;
  private Path profile;
  private WebDriver browser;

  @BeforeAll
  void start() throws IOException {
    Chromium.assumeInstalled();
    // One session sends 10,000 events at once: lift ingest's per-session rate limit.
    pipeline =
        new RunningPipeline(
            "--agentfeed.ingest.rate-limit.events-per-second=100000",
            "--agentfeed.ingest.rate-limit.burst=100000");
    profile = Files.createTempDirectory("agentfeed-chromium");
    browser = Chromium.start(profile);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      Chromium.saveConsole(browser, "performance");
      browser.quit();
    }
    if (pipeline != null) {
      pipeline.close();
    }
    if (profile != null) {
      FileSystemUtils.deleteRecursively(profile.toFile());
    }
  }

  @Test
  void shouldShowEveryEventOfALargeSessionOnceWhileMoreStreamIn() throws Exception {
    Sandbox sandbox =
        new Sandbox(
            pipeline.ingestUri("/v1/events"),
            pipeline.token(org, Scope.INGEST),
            org,
            "ses-" + UUID.randomUUID(),
            "agent-perf");
    AtomicInteger counter = new AtomicInteger();
    while (counter.get() < SESSION_SIZE) {
      mixedEvent(sandbox, counter.getAndIncrement());
    }
    sandbox.post();
    String url =
        pipeline
            .gatewayUri(
                "/sessions/"
                    + sandbox.session()
                    + "?access_token="
                    + pipeline.token(org, List.of(Scope.READ, Scope.AUDIT)))
            .toString();

    // First visit: waits for the pipeline to have processed the session.
    browser.get(url);
    awaitLastSeq(SESSION_SIZE);
    // Second visit: the session is in Kafka; this is what opening a 10,000-event session costs.
    browser.get(url);
    awaitLastSeq(SESSION_SIZE);
    await().atMost(PATIENCE).until(() -> number("window.agentfeedView.list.lastLayoutAt") > 0);
    Map<String, Double> load = new java.util.LinkedHashMap<>();
    load.put("load to first card (ms)", number("window.agentfeedView.firstCardAt"));
    load.put(
        "load to 10,000 events shown (ms)",
        Math.max(
            number("window.agentfeedView.lastApplyAt"),
            number("window.agentfeedView.list.lastLayoutAt")));
    load.put("page main thread: applying (ms)", number("window.agentfeedView.applyMs"));
    load.put("page main thread: layout (ms)", number("window.agentfeedView.list.layoutMs"));
    Chromium.screenshot(browser, "large-session");

    js(
        "window.__perf = {longTasks: [], maxGap: 0, over50: 0, frames: 0};"
            + "try { new PerformanceObserver(l => l.getEntries().forEach("
            + "  e => __perf.longTasks.push(e.duration))).observe({type: 'longtask'}); }"
            + "catch (e) {}"
            + "let last = performance.now();"
            + "const frame = t => { const gap = t - last; last = t; __perf.frames++;"
            + "  __perf.maxGap = Math.max(__perf.maxGap, gap); if (gap > 50) __perf.over50++;"
            + "  requestAnimationFrame(frame); };"
            + "requestAnimationFrame(frame);");
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
    int perTick = STREAM_RATE / 10;
    int total = SESSION_SIZE + STREAM_RATE * STREAM_SECONDS;
    try {
      sender.scheduleAtFixedRate(
          () -> {
            try {
              for (int i = 0; i < perTick && counter.get() < total; i++) {
                mixedEvent(sandbox, counter.getAndIncrement());
              }
              sandbox.post();
            } catch (Exception | AssertionError e) {
              failures.add(e);
            }
          },
          0,
          100,
          TimeUnit.MILLISECONDS);
      awaitLastSeq(total);
    } finally {
      sender.shutdownNow();
    }
    Map<String, Double> streaming = new java.util.LinkedHashMap<>();
    streaming.put("frames seen", number("__perf.frames"));
    streaming.put("longest frame gap (ms)", number("__perf.maxGap"));
    streaming.put("frame gaps over 50 ms", number("__perf.over50"));
    streaming.put("long tasks", number("__perf.longTasks.length"));
    streaming.put("longest task (ms)", number("Math.max(0, ...__perf.longTasks)"));
    Chromium.screenshot(browser, "large-session-streaming");
    report(load, streaming);

    assertThat(failures).isEmpty();
    assertThat(js("return window.agentfeedView.feed.seqLog;"))
        .isEqualTo(LongStream.rangeClosed(1, total).boxed().toList());
    assertThat(js("return window.agentfeedView.feed.duplicates;")).isEqualTo(0L);
  }

  /** A mix like a coding agent's: tool calls, logs, streamed messages, file edits. */
  private static void mixedEvent(Sandbox sandbox, int i) {
    switch (i % 10) {
      case 0, 2 -> {
        ObjectNode data =
            sandbox.data("tool.started").put("toolId", "t" + i).put("toolName", "Bash");
        data.putObject("input").put("command", "make test MODULE=" + i);
      }
      case 1, 3 ->
          sandbox
              .data("tool.completed")
              .put("toolId", "t" + (i - 1))
              .put("toolName", "Bash")
              .put("durationMs", 20 + i % 300)
              .put("resultSummary", "ok, " + i + " checks")
              .put("success", true);
      case 4, 5, 6 ->
          sandbox
              .data("message.chunk")
              .put("messageId", "m" + i / 10)
              .put("chunkIndex", i % 10 - 4)
              .put("text", "Chunk **" + i + "** of the answer. ");
      case 7 -> sandbox.data("message.completed").put("messageId", "m" + i / 10);
      case 8 ->
          sandbox
              .data("file.edited")
              .put("path", "src/module" + i % 50 + ".js")
              .put("before", "a\nb\nc\n")
              .put("after", "a\nB\nc\nd\n");
      default -> sandbox.data("log").put("level", "info").put("message", "step " + i);
    }
  }

  private void report(Map<String, Double> load, Map<String, Double> streaming) {
    List<String> lines = new ArrayList<>();
    lines.add("Dashboard measurements (Chromium headless, this machine; not asserted)");
    lines.add("Opening a " + SESSION_SIZE + "-event session:");
    load.forEach((k, v) -> lines.add(String.format(Locale.ROOT, "  %-36s %10.1f", k, v)));
    lines.add("While " + STREAM_RATE + " events/s stream in for " + STREAM_SECONDS + " s:");
    streaming.forEach((k, v) -> lines.add(String.format(Locale.ROOT, "  %-36s %10.1f", k, v)));
    lines.forEach(line -> log.info("{}", line));
    Chromium.writeReport("measurements.txt", lines);
  }

  private void awaitLastSeq(long seq) {
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> String.valueOf(seq).equals(lastSeq()));
  }

  private String lastSeq() {
    Object value = js("const f = document.getElementById('feed'); return f && f.dataset.lastSeq;");
    return value == null ? null : value.toString();
  }

  private double number(String expression) {
    Object value = js("return " + expression + ";");
    return value == null ? Double.NaN : ((Number) value).doubleValue();
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }
}
