package dev.agentfeed.ingest.events;

import static dev.agentfeed.ingest.events.RunningIngest.ORG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.ingest.TestResources;
import dev.agentfeed.ingest.claudecode.ClaudeCodeTranscript;
import dev.agentfeed.ingest.redaction.SecretRedactor;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/sessions/{sessionId}/claude-code} on a running service: Claude Code stream-json
 * in, events in events.raw. The service's clock stands still, so every tool duration is 0 here.
 */
class ClaudeCodeEndpointTest {

  private static final String INIT =
      "{\"type\":\"system\",\"subtype\":\"init\",\"cwd\":\"/w\",\"session_id\":\"c1\","
          + "\"model\":\"claude-sonnet-4-5\",\"uuid\":\"u0\"}";
  private static final String RESULT =
      "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"ok\","
          + "\"duration_ms\":10,\"num_turns\":1,\"session_id\":\"c1\",\"uuid\":\"u9\"}";

  private static RunningIngest ingest;

  private final String session = RunningIngest.newSession();

  @BeforeAll
  static void start() {
    ingest = RunningIngest.start();
  }

  @AfterAll
  static void stop() {
    ingest.close();
  }

  private static String resource(String name) {
    return TestResources.text("claude-code/" + name);
  }

  private String path() {
    return "/v1/sessions/" + session + "/claude-code";
  }

  private HttpResponse<String> post(String body) {
    return ingest.postTo(
        path(), ingest.ingestToken(ORG), null, HttpRequest.BodyPublishers.ofString(body));
  }

  /** Posts the lines as separate chunks of a body without a length, as {@code curl -T -} does. */
  private HttpResponse<String> postChunked(List<String> lines) {
    try (SubmissionPublisher<ByteBuffer> pipe = new SubmissionPublisher<>()) {
      CompletableFuture<HttpResponse<String>> response =
          CompletableFuture.supplyAsync(
              () ->
                  ingest.postTo(
                      path(),
                      ingest.ingestToken(ORG),
                      "application/x-ndjson",
                      HttpRequest.BodyPublishers.fromPublisher(pipe)));
      // A SubmissionPublisher drops what is submitted before the client subscribes.
      await().atMost(Duration.ofSeconds(10)).until(pipe::hasSubscribers);
      for (String line : lines) {
        pipe.submit(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
      }
      pipe.close();
      return response.join();
    }
  }

  private List<JsonNode> storedTypesAndData() {
    return ingest.storedFor(ORG, session).stream()
        .map(
            stored ->
                ingest.parse(
                    ingest
                        .json
                        .createObjectNode()
                        .put("type", stored.event().type().wireName())
                        .set("data", stored.event().data())
                        .toString()))
        .toList();
  }

  private List<String> storedTypes() {
    return ingest.storedFor(ORG, session).stream()
        .map(stored -> stored.event().type().wireName())
        .toList();
  }

  private ObjectNode report(int accepted, int duplicates) {
    ObjectNode report = ingest.json.createObjectNode().put("accepted", accepted);
    report.put("duplicates", duplicates).putArray("rejected");
    return report;
  }

  @Test
  void shouldStoreTheSampleTranscriptStreamedLineByLineAsTheExpectedEvents() {
    List<JsonNode> expected =
        resource("sample.expected.jsonl")
            .replace("\"durationMs\": 100,", "\"durationMs\": 0,")
            .lines()
            .map(ingest::parse)
            .toList();

    HttpResponse<String> response = postChunked(resource("sample.jsonl").lines().toList());

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(ingest.body(response)).isEqualTo(report(expected.size(), 0));
    assertThat(storedTypesAndData()).isEqualTo(expected);
  }

  @Test
  void shouldStoreEachLinesEventsWhileTheTranscriptIsStillArriving() throws Exception {
    String initId =
        new ClaudeCodeTranscript(
                ORG,
                session,
                ingest.clock,
                new SecretRedactor(Map.of(), SecretRedactor.RedactionCounter.NONE))
            .line(ingest.parse(INIT))
            .events()
            .get(0)
            .get("id")
            .asString();
    try (SubmissionPublisher<ByteBuffer> pipe = new SubmissionPublisher<>()) {
      CompletableFuture<HttpResponse<String>> response =
          CompletableFuture.supplyAsync(
              () ->
                  ingest.postTo(
                      path(),
                      ingest.ingestToken(ORG),
                      null,
                      HttpRequest.BodyPublishers.fromPublisher(pipe)));
      await().atMost(Duration.ofSeconds(10)).until(pipe::hasSubscribers);
      pipe.submit(ByteBuffer.wrap((INIT + "\n").getBytes(StandardCharsets.UTF_8)));
      ingest.awaitStored(session, initId);
      pipe.submit(ByteBuffer.wrap((RESULT + "\n").getBytes(StandardCharsets.UTF_8)));
      pipe.close();

      assertThat(ingest.body(response.get(30, TimeUnit.SECONDS))).isEqualTo(report(2, 0));
    }
  }

  @Test
  void shouldStoreNothingTwiceWhenTheSameTranscriptIsPostedAgain() {
    String transcript = resource("sample.jsonl");
    int events = ingest.body(post(transcript)).get("accepted").asInt();

    HttpResponse<String> again = post(transcript);

    assertThat(ingest.body(again)).isEqualTo(report(0, events));
    assertThat(storedTypes()).hasSize(events);
  }

  @Test
  void shouldReportAMalformedLineByItsIndexAndGoOnWithTheRest() {
    HttpResponse<String> response = post(String.join("\n", INIT, "{\"type\": nope", RESULT));

    assertThat(response.statusCode()).isEqualTo(202);
    ObjectNode expected = ingest.json.createObjectNode().put("accepted", 2).put("duplicates", 0);
    expected
        .putArray("rejected")
        .addObject()
        .put("index", 1)
        .put(
            "error",
            "not valid JSON: Unrecognized token 'nope': was expecting (JSON String, Number, Array,"
                + " Object or token 'null', 'true' or 'false') at column 10");
    assertThat(ingest.body(response)).isEqualTo(expected);
    assertThat(storedTypes()).isEqualTo(List.of("session.started", "session.completed"));
  }

  @Test
  void shouldEndTheSessionAsFailedWhenTheTranscriptHasNoResult() {
    HttpResponse<String> response = post(INIT + "\n");

    assertThat(ingest.body(response)).isEqualTo(report(2, 0));
    assertThat(storedTypes()).isEqualTo(List.of("session.started", "session.failed"));
  }

  @Test
  void shouldRedactSecretsInToolOutputBeforeStoringThem() {
    String token = "ghp_" + "a".repeat(20) + "B".repeat(16);
    String toolUse =
        "{\"type\":\"assistant\",\"message\":{\"id\":\"m1\",\"content\":[{\"type\":\"tool_use\","
            + "\"id\":\"t1\",\"name\":\"Bash\",\"input\":{\"command\":\"env\"}}]},\"uuid\":\"u1\"}";
    String toolResult =
        "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":"
            + "\"t1\",\"content\":\"GH_TOKEN="
            + token
            + "\"}]},\"uuid\":\"u2\"}";

    post(String.join("\n", INIT, toolUse, toolResult, RESULT));

    JsonNode completed = storedTypesAndData().get(2);
    assertThat(completed.get("data").get("output").asString())
        .isEqualTo("GH_TOKEN=[REDACTED:secret-assignment]");
  }

  @Test
  void shouldAnswer400AndStoreNothingWhenNoLineIsAStreamJsonMessage() {
    HttpResponse<String> response = post("[1]\n{\"no\": \"type\"}\n");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(ingest.body(response).get("rejected"))
        .isEqualTo(
            ingest.parse(
                "[{\"index\":0,\"error\":\"not a stream-json message: a line must be a JSON"
                    + " object\"},{\"index\":1,\"error\":\"not a stream-json message: 'type' is"
                    + " missing or not a string\"}]"));
    assertThat(storedTypes()).isEmpty();
  }

  @Test
  void shouldRefuseATokenConfinedToAnotherSessionWith403() {
    String confined = ingest.token(ORG, "ses-other", Scope.INGEST);

    HttpResponse<String> response =
        ingest.postTo(path(), confined, null, HttpRequest.BodyPublishers.ofString(INIT));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(ingest.body(response).get("detail").asString())
        .isEqualTo(
            "the token is confined to session 'ses-other' and may not post to session '"
                + session
                + "'; nothing in this request was stored");
  }

  @Test
  void shouldRefuseATokenWithoutTheIngestScopeWith403() {
    String reader = ingest.token(ORG, null, Scope.READ);

    HttpResponse<String> response =
        ingest.postTo(path(), reader, null, HttpRequest.BodyPublishers.ofString(INIT));

    assertThat(response.statusCode()).isEqualTo(403);
  }
}
