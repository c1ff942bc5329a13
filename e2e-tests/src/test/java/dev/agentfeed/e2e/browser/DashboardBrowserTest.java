package dev.agentfeed.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.e2e.RunningPipeline;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dashboard in a real Chromium against the whole pipeline in this JVM: a sandbox posts events
 * to ingest, the page served by the gateway shows them. Screenshots of each page go to {@code
 * target/browser/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final String org = "web-" + UUID.randomUUID().toString().substring(0, 8);
  private RunningPipeline pipeline;
  private Path profile;
  private WebDriver browser;

  @BeforeAll
  void start() throws IOException {
    Chromium.assumeInstalled();
    pipeline = new RunningPipeline();
    profile = Files.createTempDirectory("agentfeed-chromium");
    browser = Chromium.start(profile);
  }

  @AfterEach
  void keepConsole(TestInfo test) {
    if (browser != null) {
      Chromium.saveConsole(browser, test.getTestMethod().orElseThrow().getName());
    }
  }

  @AfterAll
  void stop() {
    if (browser != null) {
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
  void shouldShowANewSessionOnTheSessionsPageWhenItsEventsArrive() throws Exception {
    openDashboard("/");
    awaitLive();
    Sandbox sandbox = sandbox("agent-list");
    sandbox.data("session.started").put("title", "list me");
    sandbox.data("tool.started").put("toolId", "t1").put("toolName", "Read");
    sandbox.data("tool.completed").put("toolId", "t1").put("toolName", "Read").put("success", true);
    sandbox.post();

    By row = By.cssSelector("tr[data-session='" + sandbox.session() + "']");
    await().atMost(PATIENCE).until(() -> !browser.findElements(row).isEmpty());
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(cells(sandbox.session()))
                    .startsWith(sandbox.session(), "active", "agent-list"));
    Chromium.screenshot(browser, "sessions-page");
  }

  @Test
  void shouldShowToolDiffAndStreamedMessageCards() throws Exception {
    Sandbox sandbox = sandbox("agent-cards");
    sandbox.data("session.started").put("title", "cards");
    sandbox.data("workflow.phase_changed").put("phase", "build");
    ObjectNode started = sandbox.data("tool.started").put("toolId", "t1").put("toolName", "Read");
    started.putObject("input").put("file_path", "src/config.js");
    sandbox
        .data("tool.completed")
        .put("toolId", "t1")
        .put("toolName", "Read")
        .put("durationMs", 42)
        .put("resultSummary", "5 lines")
        .put("success", true);
    sandbox
        .data("file.edited")
        .put("path", "src/config.js")
        .put("before", "a\nb\nc\n")
        .put("after", "a\nB\nc\nd\ne\n");
    List<String> chunks = List.of("The loader ", "ignored env ", "overrides; ", "fixed now.");
    for (int i = 0; i < chunks.size(); i++) {
      sandbox
          .data("message.chunk")
          .put("messageId", "m1")
          .put("chunkIndex", i)
          .put("text", chunks.get(i));
    }
    sandbox.data("message.completed").put("messageId", "m1").put("chunkCount", chunks.size());
    sandbox.post();

    openDashboard("/sessions/" + sandbox.session());
    awaitLastSeq(10);

    WebElement tool = card("tool");
    assertThat(tool.findElement(By.cssSelector(".card-title")).getText()).isEqualTo("Read");
    assertThat(tool.findElement(By.cssSelector(".status")).getText()).isEqualTo("ok");
    assertThat(tool.findElement(By.cssSelector(".args")).getText()).isEqualTo("src/config.js");
    WebElement file = card("file");
    assertThat(List.of(text(file, ".added"), text(file, ".removed"))).containsExactly("+3", "−1");
    assertThat(file.findElements(By.cssSelector("pre.diff .add"))).hasSize(3);
    WebElement message = card("message");
    assertThat(text(message, ".markdown")).isEqualTo(String.join("", chunks).strip());
    Chromium.screenshot(browser, "session-page");
    browser.manage().window().setSize(new Dimension(420, 900));
    try {
      Chromium.screenshot(browser, "session-page-narrow");
    } finally {
      browser.manage().window().setSize(new Dimension(1280, 900));
    }
  }

  @Test
  void shouldPauseAutoScrollAndCountNewEventsWhileTheUserReadsAbove() throws Exception {
    Sandbox sandbox = sandbox("agent-scroll");
    logs(sandbox, 0, 60);
    sandbox.post();
    openDashboard("/sessions/" + sandbox.session());
    awaitLastSeq(60);

    js("document.getElementById('feed').scrollTop = 0;");
    await()
        .atMost(PATIENCE)
        .until(() -> Boolean.FALSE.equals(js("return window.agentfeedView.list.following;")));
    logs(sandbox, 60, 3);
    sandbox.post();
    awaitLastSeq(63);

    assertThat(browser.findElement(By.cssSelector(".new-pill")).getText())
        .isEqualTo("3 new events ↓");
    assertThat(number("document.getElementById('feed').scrollTop")).isZero();
    browser.findElement(By.cssSelector(".new-pill")).click();
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(
                        browser.findElements(
                            By.cssSelector("#feed article[data-seq='63']:not([hidden])")))
                    .hasSize(1));
    assertThat(browser.findElement(By.cssSelector(".new-pill")).isDisplayed()).isFalse();
  }

  @Test
  void shouldShowOnlyTheErrorsAndTheCardsMatchingTheSearch() throws Exception {
    Sandbox sandbox = sandbox("agent-filter");
    sandbox.data("tool.started").put("toolId", "t1").put("toolName", "Bash");
    sandbox
        .data("tool.failed")
        .put("toolId", "t1")
        .put("toolName", "Bash")
        .put("error", "exit code 2");
    sandbox.data("log").put("level", "error").put("message", "disk full");
    sandbox.data("log").put("level", "info").put("message", "retrying the upload");
    sandbox.data("file.created").put("path", "docs/upload.md").put("after", "# upload\n");
    sandbox.post();
    openDashboard("/sessions/" + sandbox.session());
    awaitLastSeq(5);

    browser.findElement(By.cssSelector("button.chip[data-category='errors']")).click();
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(visibleSeqs()).containsExactly("1", "3"));
    browser.findElement(By.cssSelector("button.chip[data-category='all']")).click();
    browser.findElement(By.id("feed-search")).sendKeys("upload");

    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(visibleSeqs()).containsExactly("4", "5"));
  }

  @Test
  void shouldMoveBetweenCardsAndExpandThemWithTheKeyboard() throws Exception {
    Sandbox sandbox = sandbox("agent-keys");
    sandbox.data("tool.started").put("toolId", "t1").put("toolName", "Grep");
    sandbox.data("tool.completed").put("toolId", "t1").put("toolName", "Grep").put("success", true);
    logs(sandbox, 0, 2);
    sandbox.post();
    openDashboard("/sessions/" + sandbox.session());
    awaitLastSeq(4);

    WebElement feed = browser.findElement(By.id("feed"));
    feed.sendKeys(Keys.HOME);
    String first = focusedSeq();
    browser.switchTo().activeElement().sendKeys(Keys.ARROW_DOWN);
    String second = focusedSeq();
    browser.switchTo().activeElement().sendKeys(Keys.END);
    String last = focusedSeq();
    browser.switchTo().activeElement().sendKeys(Keys.HOME);
    browser.switchTo().activeElement().sendKeys(Keys.ENTER);

    assertThat(List.of(first, second, last)).containsExactly("1", "3", "4");
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(
                        card("tool")
                            .findElement(By.cssSelector("button.expand"))
                            .getAttribute("aria-expanded"))
                    .isEqualTo("true"));
  }

  @Test
  void shouldShowTheFullToolResultWhenItsCardIsExpanded() throws Exception {
    Sandbox sandbox = sandbox("agent-detail");
    String marker = "END-OF-OUTPUT-" + UUID.randomUUID();
    // Large enough for the processor to cut it from the live event (tier 3).
    String output = "line of output\n".repeat(4000) + marker;
    sandbox
        .data("tool.started")
        .put("toolId", "t1")
        .put("toolName", "Bash")
        .putObject("input")
        .put("command", "make test");
    sandbox
        .data("tool.completed")
        .put("toolId", "t1")
        .put("toolName", "Bash")
        .put("success", true)
        .put("resultSummary", "4001 lines")
        .put("output", output);
    sandbox.post();

    openDashboard("/sessions/" + sandbox.session());
    awaitLastSeq(2);
    card("tool").findElement(By.cssSelector("button.expand")).click();

    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(card("tool").findElements(By.cssSelector(".detail pre.json")))
                    .extracting(e -> e.getAttribute("textContent"))
                    .containsExactly("{\n  \"command\": \"make test\"\n}", output));
    // The live event carried a reference in place of the output: the page fetched the detail.
    assertThat(js("return window.agentfeedView.feed.byKey.get('tool:t1').output;"))
        .isInstanceOf(Map.class)
        .asInstanceOf(InstanceOfAssertFactories.MAP)
        .containsOnlyKeys("detail");
    Chromium.screenshot(browser, "tool-detail");
  }

  @Test
  void shouldShowScriptInAgentOutputAsText() throws Exception {
    Sandbox sandbox = sandbox("agent-xss");
    String hostile =
        "Look: <script>window.pwned = 1</script> and <img src=x onerror=\"window.pwned = 2\">";
    sandbox.data("message.chunk").put("messageId", "m1").put("chunkIndex", 0).put("text", hostile);
    sandbox.data("message.completed").put("messageId", "m1").put("text", hostile);
    sandbox.post();

    openDashboard("/sessions/" + sandbox.session());
    awaitLastSeq(2);

    WebElement message = card("message");
    assertThat(text(message, ".markdown")).isEqualTo(hostile);
    assertThat(message.findElements(By.cssSelector(".markdown script, .markdown img"))).isEmpty();
    assertThat(js("return window.pwned === undefined;")).isEqualTo(true);
    Chromium.screenshot(browser, "hostile-message");
  }

  @Test
  void shouldContinueTheFeedWithoutDuplicateOrGapAfterTheGatewayRestarts() throws Exception {
    Sandbox sandbox = sandbox("agent-restart");
    logs(sandbox, 0, 30);
    sandbox.post();
    openDashboard("/sessions/" + sandbox.session());
    awaitLastSeq(30);

    pipeline.restartGateway();
    logs(sandbox, 30, 30);
    sandbox.post();

    // The page retries with backoff (up to 10 s) while the gateway is down and starting.
    awaitLastSeq(60, Duration.ofMinutes(3));
    assertThat(js("return window.agentfeedView.feed.seqLog;"))
        .isEqualTo(LongStream.rangeClosed(1, 60).boxed().toList());
    assertThat(js("return window.agentfeed.connection.reconnects;")).isNotEqualTo(0L);
    assertThat(feedData("duplicates")).isEqualTo("0");
    assertThat(feedData("gaps")).isEqualTo("0");
    Chromium.screenshot(browser, "after-gateway-restart");
  }

  @Test
  void shouldReplayAnArchivedSession() throws Exception {
    Sandbox sandbox = sandbox("agent-replay");
    sandbox.data("session.started").put("title", "replay me");
    logs(sandbox, 0, 20);
    sandbox.data("session.completed").put("summary", "done").put("durationMs", 220);
    sandbox.post();
    String audit = pipeline.token(org, List.of(Scope.READ, Scope.AUDIT));
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest archived =
        HttpRequest.newBuilder(pipeline.archiverUri("/v1/replays/" + sandbox.session() + "/events"))
            .header("Authorization", "Bearer " + audit)
            .build();
    await()
        .atMost(Duration.ofMinutes(3))
        .until(
            () -> {
              HttpResponse<String> response =
                  http.send(archived, HttpResponse.BodyHandlers.ofString());
              return response.statusCode() == 200 && response.body().lines().count() == 22;
            });

    openDashboard(
        "/replays/" + sandbox.session() + "?archiver=" + pipeline.archiverUri("").toString());
    await().atMost(PATIENCE).until(() -> "ready".equals(attribute(".session-view", "data-replay")));
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("replay-speed")))
        .selectByValue("50");
    await()
        .atMost(PATIENCE)
        .until(() -> "22".equals(attribute(".session-view", "data-replay-applied")));
    assertThat(js("return window.agentfeedView.feed.seqLog;"))
        .isEqualTo(LongStream.rangeClosed(1, 22).boxed().toList());
    Chromium.screenshot(browser, "replay-page");
  }

  private Sandbox sandbox(String agent) {
    return new Sandbox(
        pipeline.ingestUri("/v1/events"),
        pipeline.token(org, Scope.INGEST),
        org,
        "ses-" + UUID.randomUUID(),
        agent);
  }

  private static void logs(Sandbox sandbox, int from, int count) {
    for (int i = from; i < from + count; i++) {
      sandbox.data("log").put("level", "info").put("message", "step " + i);
    }
  }

  /** Opens a page of the dashboard with a read+audit token in the URL, as the local stack does. */
  private void openDashboard(String path) {
    String token = pipeline.token(org, List.of(Scope.READ, Scope.AUDIT));
    String separator = path.contains("?") ? "&" : "?";
    browser.get(pipeline.gatewayUri(path + separator + "access_token=" + token).toString());
  }

  private void awaitLive() {
    await().atMost(PATIENCE).until(() -> "live".equals(attribute("#connection", "data-state")));
  }

  private void awaitLastSeq(long seq) {
    awaitLastSeq(seq, PATIENCE);
  }

  private void awaitLastSeq(long seq, Duration patience) {
    await()
        .atMost(patience)
        .untilAsserted(
            () ->
                assertThat(feedData("lastSeq")).as(this::pageState).isEqualTo(String.valueOf(seq)));
  }

  /** What the page shows of its state, for failure messages. */
  private String pageState() {
    return String.valueOf(
        js(
            "const f = document.getElementById('feed');"
                + "const n = document.querySelector('.notice:not([hidden])');"
                + "return JSON.stringify({url: location.pathname,"
                + " connection: document.getElementById('connection').dataset.state,"
                + " feed: f ? Object.assign({}, f.dataset) : null,"
                + " notice: n ? n.textContent : null});"));
  }

  /** The seqs of the cards the feed shows, top to bottom. */
  @SuppressWarnings("unchecked")
  private List<String> visibleSeqs() {
    return (List<String>)
        js(
            "return Array.from(document.querySelectorAll('#feed article.card'))"
                + ".sort((a, b) => a.dataset.index - b.dataset.index)"
                + ".map(a => a.dataset.seq);");
  }

  private double number(String expression) {
    return ((Number) js("return " + expression + ";")).doubleValue();
  }

  private String focusedSeq() {
    return browser.switchTo().activeElement().getAttribute("data-seq");
  }

  private WebElement card(String kind) {
    return browser.findElement(By.cssSelector("#feed article[data-kind='" + kind + "']"));
  }

  private String feedData(String name) {
    return attribute("#feed", "data-" + name.replaceAll("([A-Z])", "-$1").toLowerCase());
  }

  private String attribute(String css, String name) {
    List<WebElement> found = browser.findElements(By.cssSelector(css));
    return found.isEmpty() ? null : found.get(0).getAttribute(name);
  }

  private static String text(WebElement root, String css) {
    return root.findElement(By.cssSelector(css)).getText();
  }

  /** A sessions-table row's cells, read in one go (the page updates them live). */
  @SuppressWarnings("unchecked")
  private List<String> cells(String sessionId) {
    return (List<String>)
        js(
            "return Array.from(document.querySelectorAll("
                + "\"tr[data-session='"
                + sessionId
                + "'] > *\")).map(c => c.textContent);");
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }
}
