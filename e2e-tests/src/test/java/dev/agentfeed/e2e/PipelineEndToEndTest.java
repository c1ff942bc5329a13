package dev.agentfeed.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.common.security.Scope;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A sandbox posts a session over HTTP, a dashboard watches it over WebSocket, an auditor finds it
 * in S3: the pipeline's promise from end to end, on a real broker and a real S3 endpoint.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineEndToEndTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final JsonMapper json = JsonMapper.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();
  private RunningPipeline pipeline;

  @BeforeAll
  void startPipeline() throws IOException {
    pipeline = new RunningPipeline();
  }

  @AfterAll
  void stopPipeline() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  void shouldDeliverEveryValidEventOnceInOrderAndArchiveTheSameEvents() throws Exception {
    String org = "acme-" + UUID.randomUUID().toString().substring(0, 6);
    String session = "ses-" + UUID.randomUUID();
    List<ObjectNode> valid = sampleSession(org, session, 52);
    List<String> lines = new ArrayList<>();
    valid.forEach(e -> lines.add(e.toString()));
    ObjectNode invalid = event(org, session, "bad-1", "tool.completed", Instant.now());
    invalid.putObject("data").put("toolId", "toolu_x").put("durationMs", 5);
    lines.add(20, invalid.toString());
    lines.add(31, valid.get(7).toString());

    try (WebSocketProbe dashboard =
        new WebSocketProbe(pipeline.gatewayWebSocket(), pipeline.token(org, Scope.READ))) {
      dashboard.send(
          "{\"op\":\"subscribe\",\"id\":\"s1\",\"sessionId\":\""
              + session
              + "\",\"from\":\"live\"}");
      await().atMost(PATIENCE).until(() -> !dashboard.frames("subscribed").isEmpty());

      HttpResponse<String> response =
          postNdjson(String.join("\n", lines) + "\n", pipeline.token(org, Scope.INGEST));

      assertThat(response.statusCode()).isEqualTo(202);
      assertThat(json.readTree(response.body()))
          .isEqualTo(
              json.readTree(
                  "{\"accepted\":52,\"duplicates\":1,\"rejected\":[{\"index\":20,"
                      + "\"error\":\"data.toolName: must not be blank\"}]}"));
      await().atMost(PATIENCE).until(() -> dashboard.events("s1").size() >= valid.size());
      List<JsonNode> delivered = dashboard.events("s1");
      assertThat(delivered.stream().map(e -> e.get("id").asString()).toList())
          .isEqualTo(valid.stream().map(e -> e.get("id").asString()).toList());
      assertThat(delivered.stream().map(e -> e.get("seq").asLong()).toList())
          .isEqualTo(LongStream.rangeClosed(1, valid.size()).boxed().toList());

      String folder = replayFolder(org, session, valid.get(0));
      await()
          .atMost(PATIENCE)
          .until(
              () ->
                  pipeline
                      .s3()
                      .keys(RunningPipeline.BUCKET, folder)
                      .contains(folder + "manifest.json"));
      byte[] replay = pipeline.s3().bytes(RunningPipeline.BUCKET, folder + "replay.jsonl.gz");
      assertThat(gunzipLines(replay)).isEqualTo(delivered);
      JsonNode manifest =
          json.readTree(pipeline.s3().bytes(RunningPipeline.BUCKET, folder + "manifest.json"));
      assertThat(manifest.get("eventCount").asLong()).isEqualTo(valid.size());
      JsonNode object = manifest.get("objects").get(0);
      assertThat(object.get("key").asString()).isEqualTo(folder + "replay.jsonl.gz");
      assertThat(object.get("sha256").asString()).isEqualTo(sha256(replay));
    }
  }

  @Test
  void shouldReplayHistoryFromTheBeginningForALateDashboard() throws Exception {
    String org = "acme-" + UUID.randomUUID().toString().substring(0, 6);
    String session = "ses-" + UUID.randomUUID();
    List<ObjectNode> valid = sampleSession(org, session, 12);
    List<String> firstHalf = valid.subList(0, 6).stream().map(ObjectNode::toString).toList();
    List<String> secondHalf = valid.subList(6, 12).stream().map(ObjectNode::toString).toList();
    String ingestToken = pipeline.token(org, Scope.INGEST);
    assertThat(postNdjson(String.join("\n", firstHalf), ingestToken).statusCode()).isEqualTo(202);

    try (WebSocketProbe dashboard =
        new WebSocketProbe(pipeline.gatewayWebSocket(), pipeline.token(org, Scope.READ))) {
      dashboard.send(
          "{\"op\":\"subscribe\",\"id\":\"h\",\"sessionId\":\""
              + session
              + "\",\"from\":\"beginning\"}");
      await().atMost(PATIENCE).until(() -> dashboard.events("h").size() >= 6);
      assertThat(postNdjson(String.join("\n", secondHalf), ingestToken).statusCode())
          .isEqualTo(202);

      await().atMost(PATIENCE).until(() -> dashboard.events("h").size() >= 12);
      assertThat(dashboard.events("h").stream().map(e -> e.get("seq").asLong()).toList())
          .isEqualTo(LongStream.rangeClosed(1, 12).boxed().toList());
    }
  }

  @Test
  void shouldRefuseAnotherOrganisationAtIngestAndAtSubscribe() throws Exception {
    String org = "acme-" + UUID.randomUUID().toString().substring(0, 6);
    String session = "ses-" + UUID.randomUUID();
    List<ObjectNode> events = sampleSession(org, session, 3);
    String body = String.join("\n", events.stream().map(ObjectNode::toString).toList());
    try (WebSocketProbe owner =
        new WebSocketProbe(pipeline.gatewayWebSocket(), pipeline.token(org, Scope.READ))) {
      owner.send(
          "{\"op\":\"subscribe\",\"id\":\"o\",\"sessionId\":\""
              + session
              + "\",\"from\":\"live\"}");
      await().atMost(PATIENCE).until(() -> !owner.frames("subscribed").isEmpty());
      assertThat(postNdjson(body, pipeline.token(org, Scope.INGEST)).statusCode()).isEqualTo(202);
      await().atMost(PATIENCE).until(() -> owner.events("o").size() >= 3);
    }

    HttpResponse<String> foreignPost = postNdjson(body, pipeline.token("intruder", Scope.INGEST));

    assertThat(foreignPost.statusCode()).isEqualTo(403);
    try (WebSocketProbe intruder =
        new WebSocketProbe(pipeline.gatewayWebSocket(), pipeline.token("intruder", Scope.READ))) {
      intruder.send(
          "{\"op\":\"subscribe\",\"id\":\"x\",\"sessionId\":\""
              + session
              + "\",\"from\":\"beginning\"}");
      await().atMost(PATIENCE).until(() -> !intruder.frames("error").isEmpty());
      JsonNode error = intruder.frames("error").get(0);
      assertThat(List.of(error.get("id").asString(), error.get("code").asString()))
          .isEqualTo(List.of("x", "forbidden"));
      assertThat(intruder.events("x")).isEmpty();
    }
  }

  private HttpResponse<String> postNdjson(String body, String token) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(pipeline.ingestUri("/v1/events"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private String replayFolder(String org, String session, JsonNode firstEvent) {
    String date =
        Instant.parse(firstEvent.get("ts").asString())
            .atZone(ZoneOffset.UTC)
            .toLocalDate()
            .toString();
    return "replays/org=" + org + "/date=" + date + "/session=" + session + "/";
  }

  private List<JsonNode> gunzipLines(byte[] gzip) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.lines().filter(l -> !l.isBlank()).map(json::readTree).toList();
    }
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private ObjectNode event(String org, String session, String id, String type, Instant ts) {
    ObjectNode event = json.createObjectNode();
    event.put("id", id).put("type", type).put("orgId", org).put("sessionId", session);
    event.put("agentId", "executor").put("source", "sandbox/e2e").put("ts", ts.toString());
    return event;
  }

  /**
   * A realistic session of {@code size} events: start, phases, thinking, tool calls, a file edit, a
   * streamed message, a failing tool, logs, and the end.
   */
  private List<ObjectNode> sampleSession(String org, String session, int size) {
    Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<ObjectNode> events = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Instant ts = start.plusMillis(i * 10L);
      String id = session + "-e" + i;
      ObjectNode data;
      ObjectNode event;
      if (i == 0) {
        event = event(org, session, id, "session.started", ts);
        event
            .putObject("data")
            .put("title", "fix the config loader")
            .put("model", "claude-opus-4-1");
      } else if (i == size - 1) {
        event = event(org, session, id, "session.completed", ts);
        event.putObject("data").put("summary", "done").put("durationMs", size * 10L);
      } else {
        switch (i % 8) {
          case 1 -> {
            event = event(org, session, id, "workflow.phase_changed", ts);
            event.putObject("data").put("phase", "phase-" + i);
          }
          case 2 -> {
            event = event(org, session, id, "tool.started", ts);
            data = event.putObject("data").put("toolId", "toolu_" + i).put("toolName", "Read");
            data.putObject("input").put("file_path", "src/config.js");
          }
          case 3 -> {
            event = event(org, session, id, "tool.completed", ts);
            event
                .putObject("data")
                .put("toolId", "toolu_" + (i - 1))
                .put("toolName", "Read")
                .put("durationMs", 12)
                .put("resultSummary", "248 lines")
                .put("success", true);
          }
          case 4 -> {
            event = event(org, session, id, "file.edited", ts);
            event
                .putObject("data")
                .put("path", "src/config.js")
                .put("oldString", "const a = 1;")
                .put("newString", "const a = 2;");
          }
          case 5 -> {
            event = event(org, session, id, "message.chunk", ts);
            event
                .putObject("data")
                .put("messageId", "msg-" + (i / 8))
                .put("chunkIndex", 0)
                .put("text", "Reading the loader… ");
          }
          case 6 -> {
            event = event(org, session, id, "thinking.completed", ts);
            event
                .putObject("data")
                .put("thinkingId", "th-" + i)
                .put("text", "env overrides ignored");
          }
          case 7 -> {
            event = event(org, session, id, "tool.failed", ts);
            event
                .putObject("data")
                .put("toolId", "toolu_" + i)
                .put("toolName", "Bash")
                .put("error", "exit code 1");
          }
          default -> {
            event = event(org, session, id, "log", ts);
            event.putObject("data").put("level", "info").put("message", "step " + i);
          }
        }
      }
      events.add(event);
    }
    return events;
  }
}
