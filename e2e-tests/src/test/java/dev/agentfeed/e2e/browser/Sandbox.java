package dev.agentfeed.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An agent's sandbox as the tests play it: builds one session's events and posts them to ingest.
 */
final class Sandbox {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int PER_REQUEST = 2000;

  private final HttpClient http = HttpClient.newHttpClient();
  private final URI ingest;
  private final String token;
  private final String org;
  private final String session;
  private final String agent;
  private final List<ObjectNode> built = new ArrayList<>();
  private Instant clock = Instant.now();

  Sandbox(URI ingest, String token, String org, String session, String agent) {
    this.ingest = ingest;
    this.token = token;
    this.org = org;
    this.session = session;
    this.agent = agent;
  }

  String session() {
    return session;
  }

  /** A new event of this session, 10 ms after the previous one; fill its {@code data}. */
  ObjectNode event(String type) {
    clock = clock.plusMillis(10);
    ObjectNode event = JSON.createObjectNode();
    event.put("id", UUID.randomUUID().toString()).put("type", type).put("orgId", org);
    event.put("sessionId", session).put("agentId", agent).put("source", "sandbox/browser-test");
    event.put("ts", clock.toString());
    event.putObject("data");
    built.add(event);
    return event;
  }

  ObjectNode data(String type) {
    return (ObjectNode) event(type).get("data");
  }

  /** Posts every event built since the last post, in order, and expects all accepted. */
  void post() throws IOException, InterruptedException {
    List<ObjectNode> events = List.copyOf(built);
    built.clear();
    for (int from = 0; from < events.size(); from += PER_REQUEST) {
      StringBuilder body = new StringBuilder();
      for (ObjectNode event : events.subList(from, Math.min(events.size(), from + PER_REQUEST))) {
        body.append(event).append('\n');
      }
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(ingest)
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/x-ndjson")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      assertThat(JSON.readTree(response.body()).path("rejected").size())
          .as(response.body())
          .isZero();
    }
  }
}
