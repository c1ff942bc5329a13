package dev.agentfeed.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.model.Topics;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The acceptance of the Claude Code path on the whole pipeline: a realistic stream-json transcript
 * (partial messages, a Read, an Edit, a failing Bash, a result) piped into {@code
 * /v1/sessions/{id}/claude-code} without a length, as {@code curl -T -} sends it, comes out of the
 * stream processor on {@code events.enriched} as the expected events, with the Edit's diff; posting
 * it again adds nothing; and credentials planted in it reach no topic while look-alikes do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaudeCodeAcceptanceTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  // Fake credentials, assembled from parts so that no scanner takes this source for a leak.
  private static final List<String> SECRETS =
      List.of(
          "AKIA" + "IOSFODNN7EXAMPLE",
          "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY",
          "ghp_" + "a".repeat(20) + "B".repeat(16),
          "glpat-" + "xY9_zK2-" + "abcdefghijkl",
          "xoxb-" + "123456789012-" + "abcdefABCDEF",
          "sk-" + "proj-" + "Abcdefghij0123456789XYZ",
          "sk-ant-" + "api03-" + "Abcdefghij0123456789_XYZ",
          "eyJ"
              + "hbGciOiJIUzI1NiJ9"
              + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0"
              + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
          "MIIEowIBAAKCAQEAx" + "q1w2e3r4t5y6",
          "s3cr3t-" + "pw",
          "hunter" + "2-xyz");

  private static final List<String> LOOK_ALIKES =
      List.of("9fceb02d0ae598e95dc970b74767f19372d61af8", "3f9a0c1e-77b2-4d4e-8a61-0c5e2d9b4f10");

  private final JsonMapper json = JsonMapper.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Topics topics = Topics.withDefaultPrefix();
  private RunningPipeline pipeline;

  @BeforeAll
  void startPipeline() throws Exception {
    pipeline = new RunningPipeline();
  }

  @AfterAll
  void stopPipeline() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  void shouldYieldTheExpectedEnrichedEventsWithTheEditsDiffAndNothingMoreWhenPostedTwice()
      throws Exception {
    String org = "acme-" + UUID.randomUUID().toString().substring(0, 6);
    String session = "ses-" + UUID.randomUUID();
    String transcript = transcript("cc-accept-" + session, List.of());

    HttpResponse<String> first = postStreamed(org, session, transcript);
    HttpResponse<String> second = postStreamed(org, session, transcript);

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(json.readTree(first.body()))
        .isEqualTo(json.readTree("{\"accepted\":14,\"duplicates\":0,\"rejected\":[]}"));
    assertThat(json.readTree(second.body()))
        .isEqualTo(json.readTree("{\"accepted\":0,\"duplicates\":14,\"rejected\":[]}"));
    List<JsonNode> enriched = enrichedUpToMarker(org, session);
    assertThat(enriched.stream().map(this::describe).toList())
        .isEqualTo(
            List.of(
                "1 session.started model=claude-sonnet-4-5",
                "2 message.chunk I'll fix ",
                // The word still being written is held back until the next delta or the block's
                // end: it could be the start of a secret.
                "3 message.chunk the config ",
                "4 message.chunk loader.",
                "5 message.completed I'll fix the config loader.",
                "6 tool.started Read",
                "7 tool.completed Read",
                "8 tool.started Edit",
                "9 tool.completed Edit",
                "10 file.edited /repo/app/config.py +2 -1",
                "11 tool.started Bash",
                "12 tool.failed Bash: FAILED tests/test_config.py::test_env - KeyError: 'APP_MODE'",
                "13 message.completed The test still fails: APP_MODE is unset.",
                "14 session.completed turns=4"));
    JsonNode diff = enriched.get(9).path("data");
    assertThat(diff.path("diff").asString())
        .contains("-    return {}", "+    env = dict(os.environ)", "+    return env");
    assertThat(diff.path("diffContext").asString()).isEqualTo("fragment");
  }

  @Test
  void shouldKeepPlantedSecretsOfEveryKindOutOfEveryTopicAndLookAlikesIntact() throws Exception {
    String org = "acme-" + UUID.randomUUID().toString().substring(0, 6);
    String session = "ses-" + UUID.randomUUID();
    String transcript = transcript("cc-secrets-" + session, secretLines());

    assertThat(postStreamed(org, session, transcript).statusCode()).isEqualTo(202);
    String marker = marker(org, session);

    for (String topic : List.of(topics.raw(), topics.enriched(), topics.feedLive())) {
      List<TopicReader.Record> records =
          TopicReader.readUntil(
              pipeline.kafkaBootstrap(),
              topic,
              read -> read.stream().anyMatch(r -> r.value().contains(marker)),
              PATIENCE);
      String sessionText =
          String.join(
              "\n",
              records.stream()
                  .filter(r -> session.equals(r.key()))
                  .map(TopicReader.Record::value)
                  .toList());
      String everything =
          String.join("\n", records.stream().map(TopicReader.Record::value).toList());
      assertThat(SECRETS).as("secrets in " + topic).noneMatch(everything::contains);
      String streamed =
          records.stream()
              .filter(r -> session.equals(r.key()))
              .map(r -> json.readTree(r.value()))
              .filter(e -> "message.chunk".equals(e.path("type").asString()))
              .map(e -> e.path("data"))
              .filter(data -> "msg_k/0".equals(data.path("messageId").asString()))
              .map(data -> data.path("text").asString())
              .collect(Collectors.joining());
      assertThat(streamed)
          .as("the streamed message in " + topic)
          .isEqualTo("Your key is [REDACTED:anthropic-key] and it works.");
      assertThat(LOOK_ALIKES).as("look-alikes in " + topic).allMatch(sessionText::contains);
    }
  }

  // ---- the transcript

  /**
   * A Claude Code session with partial messages: a streamed text answer, a Read, an Edit, a Bash
   * that fails, a closing message and the result; {@code extra} lines go before the result.
   */
  private String transcript(String claudeSession, List<ObjectNode> extra) {
    List<ObjectNode> lines = new ArrayList<>();
    ObjectNode init = line("system", claudeSession, "u-01").put("subtype", "init");
    init.put("cwd", "/repo").put("model", "claude-sonnet-4-5");
    init.putArray("tools").add("Read").add("Edit").add("Bash");
    lines.add(init);
    lines.add(
        stream(
            claudeSession,
            "u-02",
            "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"role\":\"assistant\",\"content\":[]}}"));
    lines.add(
        stream(
            claudeSession,
            "u-03",
            "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
    lines.add(
        stream(
            claudeSession,
            "u-04",
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"I'll fix \"}}"));
    lines.add(
        stream(
            claudeSession,
            "u-05",
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"the config loader.\"}}"));
    lines.add(stream(claudeSession, "u-06", "{\"type\":\"content_block_stop\",\"index\":0}"));
    lines.add(
        assistant(
            claudeSession,
            "u-07",
            "msg_1",
            "{\"type\":\"text\",\"text\":\"I'll fix the config loader.\"}"));
    lines.add(
        assistant(
            claudeSession,
            "u-08",
            "msg_2",
            toolUse("toolu_read", "Read", "{\"file_path\":\"/repo/app/config.py\"}")));
    lines.add(
        result(
            claudeSession,
            "u-09",
            "toolu_read",
            "import os\n\ndef load():\n    return {}\n",
            false));
    lines.add(
        assistant(
            claudeSession,
            "u-10",
            "msg_3",
            toolUse(
                "toolu_edit",
                "Edit",
                "{\"file_path\":\"/repo/app/config.py\",\"old_string\":\"    return {}\","
                    + "\"new_string\":\"    env = dict(os.environ)\\n    return env\"}")));
    lines.add(
        result(
            claudeSession,
            "u-11",
            "toolu_edit",
            "The file /repo/app/config.py has been updated.",
            false));
    lines.add(
        assistant(
            claudeSession,
            "u-12",
            "msg_4",
            toolUse("toolu_bash", "Bash", "{\"command\":\"pytest -q\"}")));
    lines.add(
        result(
            claudeSession,
            "u-13",
            "toolu_bash",
            "FAILED tests/test_config.py::test_env - KeyError: 'APP_MODE'\n1 failed in 0.12s",
            true));
    lines.addAll(extra);
    lines.add(
        assistant(
            claudeSession,
            "u-14",
            "msg_5",
            "{\"type\":\"text\",\"text\":\"The test still fails: APP_MODE is unset.\"}"));
    ObjectNode result = line("result", claudeSession, "u-15").put("subtype", "success");
    result.put("is_error", false).put("result", "The test still fails: APP_MODE is unset.");
    result.put("duration_ms", 12000).put("num_turns", 4).put("total_cost_usd", 0.05);
    result.putObject("usage").put("input_tokens", 1200).put("output_tokens", 340);
    lines.add(result);
    StringBuilder text = new StringBuilder();
    lines.forEach(l -> text.append(l).append('\n'));
    return text.toString();
  }

  /** A Bash call whose command and output carry every kind of credential and the look-alikes. */
  private List<ObjectNode> secretLines() {
    String claude = "secrets";
    String command =
        "export AWS_ACCESS_KEY_ID="
            + SECRETS.get(0)
            + " && aws_secret_access_key = "
            + SECRETS.get(1)
            + " && git clone https://x:"
            + SECRETS.get(2)
            + "@github.com/acme/app && glab --token "
            + SECRETS.get(3)
            + " && curl -H 'Authorization: Bearer "
            + SECRETS.get(7)
            + "' "
            + "postgres://app:"
            + SECRETS.get(9)
            + "@db:5432/app";
    String output =
        "slack "
            + SECRETS.get(4)
            + "\nOPENAI "
            + SECRETS.get(5)
            + "\nkey "
            + SECRETS.get(6)
            + "\n-----BEGIN RSA PRIVATE KEY-----\n"
            + SECRETS.get(8)
            + "\n-----END RSA PRIVATE KEY-----\n"
            + "mysql --password="
            + SECRETS.get(10)
            + "\ncommit "
            + LOOK_ALIKES.get(0)
            + " on session "
            + LOOK_ALIKES.get(1);
    ObjectNode input = json.createObjectNode().put("command", command);
    List<ObjectNode> lines = new ArrayList<>();
    lines.add(assistant(claude, "s-1", "msg_s", toolUse("toolu_secret", "Bash", input.toString())));
    lines.add(result(claude, "s-2", "toolu_secret", output, false));
    // A message that repeats a key, streamed a few characters per delta as Claude Code does: no
    // delta holds the whole key, the message assembled from them would.
    String message = "Your key is " + SECRETS.get(6) + " and it works.";
    lines.add(stream(claude, "s-3", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_k\"}}"));
    for (int at = 0; at < message.length(); at += 3) {
      ObjectNode delta = json.createObjectNode().put("type", "content_block_delta").put("index", 0);
      delta
          .putObject("delta")
          .put("type", "text_delta")
          .put("text", message.substring(at, Math.min(message.length(), at + 3)));
      lines.add(stream(claude, "s-d" + at, delta.toString()));
    }
    lines.add(stream(claude, "s-4", "{\"type\":\"content_block_stop\",\"index\":0}"));
    lines.add(
        assistant(
            claude,
            "s-5",
            "msg_k",
            json.createObjectNode().put("type", "text").put("text", message).toString()));
    return lines;
  }

  private ObjectNode line(String type, String claudeSession, String uuid) {
    return json.createObjectNode()
        .put("type", type)
        .put("session_id", claudeSession)
        .put("uuid", uuid);
  }

  private ObjectNode stream(String claudeSession, String uuid, String event) {
    ObjectNode line = line("stream_event", claudeSession, uuid);
    line.set("event", json.readTree(event));
    return line;
  }

  private ObjectNode assistant(String claudeSession, String uuid, String messageId, String block) {
    ObjectNode line = line("assistant", claudeSession, uuid);
    ObjectNode message = line.putObject("message").put("id", messageId).put("role", "assistant");
    message.putArray("content").add(json.readTree(block));
    return line;
  }

  private String toolUse(String id, String name, String input) {
    return "{\"type\":\"tool_use\",\"id\":\""
        + id
        + "\",\"name\":\""
        + name
        + "\",\"input\":"
        + input
        + "}";
  }

  private ObjectNode result(
      String claudeSession, String uuid, String toolId, String content, boolean isError) {
    ObjectNode line = line("user", claudeSession, uuid);
    ArrayNode blocks = line.putObject("message").put("role", "user").putArray("content");
    blocks
        .addObject()
        .put("type", "tool_result")
        .put("tool_use_id", toolId)
        .put("content", content)
        .put("is_error", isError);
    return line;
  }

  // ---- the pipeline

  /** Posts the body without a length (chunked), as {@code curl -T -} pipes a transcript. */
  private HttpResponse<String> postStreamed(String org, String session, String body)
      throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(pipeline.ingestUri("/v1/sessions/" + session + "/claude-code"))
            .header("Authorization", "Bearer " + pipeline.token(org, Scope.INGEST))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Posts a tier-1 marker event to the session and returns its id. */
  private String marker(String org, String session) throws Exception {
    String id = "marker-" + UUID.randomUUID();
    ObjectNode event =
        json.createObjectNode()
            .put("id", id)
            .put("type", "artifact.created")
            .put("orgId", org)
            .put("sessionId", session)
            .put("ts", Instant.now().toString());
    event.putObject("data").put("kind", "marker").put("name", id);
    HttpRequest request =
        HttpRequest.newBuilder(pipeline.ingestUri("/v1/events"))
            .header("Authorization", "Bearer " + pipeline.token(org, Scope.INGEST))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(event.toString()))
            .build();
    assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(202);
    return id;
  }

  /** The session's enriched events, read after a marker posted now: nothing later is missing. */
  private List<JsonNode> enrichedUpToMarker(String org, String session) throws Exception {
    String marker = marker(org, session);
    return TopicReader.readUntil(
            pipeline.kafkaBootstrap(),
            topics.enriched(),
            read -> read.stream().anyMatch(r -> r.value().contains(marker)),
            PATIENCE)
        .stream()
        .filter(r -> session.equals(r.key()))
        .map(r -> json.readTree(r.value()))
        .filter(
            e -> org.equals(e.path("orgId").asString()) && !marker.equals(e.path("id").asString()))
        .toList();
  }

  /** An enriched event in one line: its seq, type and what identifies it. */
  private String describe(JsonNode event) {
    JsonNode data = event.path("data");
    String type = event.path("type").asString();
    String what =
        switch (type) {
          case "session.started" -> "model=" + data.path("model").asString();
          case "message.chunk", "message.completed" -> data.path("text").asString();
          case "tool.started", "tool.completed" -> data.path("toolName").asString();
          case "tool.failed" ->
              data.path("toolName").asString() + ": " + data.path("error").asString();
          case "file.edited" ->
              data.path("path").asString()
                  + " +"
                  + data.path("linesAdded").asInt()
                  + " -"
                  + data.path("linesRemoved").asInt();
          case "session.completed" -> "turns=" + data.path("turns").asInt();
          default -> data.toString();
        };
    return event.path("seq").asLong() + " " + type + " " + what;
  }
}
