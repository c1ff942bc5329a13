package dev.agentfeed.ingest.events;

import static dev.agentfeed.ingest.events.RunningIngest.ORG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.ingest.TestResources;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code POST /v1/sessions/{sessionId}/openhands} on a running service: OpenHands events in. */
class OpenHandsEndpointTest {

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
    return TestResources.text("openhands/" + name);
  }

  private HttpResponse<String> post(String contentType, String body) {
    return ingest.postTo(
        "/v1/sessions/" + session + "/openhands",
        ingest.ingestToken(ORG),
        contentType,
        HttpRequest.BodyPublishers.ofString(body));
  }

  private List<JsonNode> expected() {
    return resource("conversation.expected.jsonl").lines().map(ingest::parse).toList();
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

  private ObjectNode report(int accepted, int duplicates) {
    ObjectNode report = ingest.json.createObjectNode().put("accepted", accepted);
    report.put("duplicates", duplicates).putArray("rejected");
    return report;
  }

  @Test
  void shouldStoreAConversationPostedAsAJsonArrayAsTheExpectedEvents() {
    HttpResponse<String> response = post(RunningIngest.JSON, resource("conversation.json"));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(ingest.body(response)).isEqualTo(report(expected().size(), 0));
    assertThat(storedTypesAndData()).isEqualTo(expected());
  }

  @Test
  void shouldStoreTheSameEventsFromNdjsonAndNothingTwiceWhenPostedAgain() {
    String ndjson =
        StreamSupport.stream(ingest.parse(resource("conversation.json")).spliterator(), false)
                .map(JsonNode::toString)
                .reduce((a, b) -> a + "\n" + b)
                .orElseThrow()
            + "\n";
    assertThat(post(RunningIngest.NDJSON, ndjson).statusCode()).isEqualTo(202);

    HttpResponse<String> again = post(RunningIngest.JSON, resource("conversation.json"));

    assertThat(ingest.body(again)).isEqualTo(report(0, expected().size()));
    assertThat(storedTypesAndData()).isEqualTo(expected());
  }

  @Test
  void shouldRejectElementsThatAreNotOpenHandsEventsByIndexAndStoreTheRest() {
    HttpResponse<String> response =
        post(
            RunningIngest.JSON,
            "[{\"id\":1,\"source\":\"user\",\"action\":\"message\",\"args\":{\"content\":\"hi\"}},"
                + "42]");

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(ingest.body(response))
        .isEqualTo(
            ingest.parse(
                "{\"accepted\":1,\"duplicates\":0,\"rejected\":[{\"index\":1,"
                    + "\"error\":\"not an OpenHands event: it must be a JSON object\"}]}"));
  }
}
