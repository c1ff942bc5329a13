package dev.agentfeed.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventValidator;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The bundled demo session: valid under the contract, fresh per run, posted one by one. */
class DemoSessionTest {

  private static final Instant NOW = Instant.parse("2026-01-30T12:00:00Z");
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final DemoSession demo = DemoSession.load(Clock.fixed(NOW, ZoneOffset.UTC));
  private HttpServer ingest;

  @AfterEach
  void stopIngest() {
    if (ingest != null) {
      ingest.stop(0);
    }
  }

  @Test
  void shouldOnlyContainEventsTheContractAccepts() {
    EventValidator validator = new EventValidator(new EventCodec());
    String sessionId = demo.newSessionId();

    List<String> invalid = new ArrayList<>();
    for (ObjectNode event : events(sessionId)) {
      if (validator.validate(event) instanceof EventValidator.Invalid failure) {
        invalid.add(event.get("type").asString() + ": " + failure.message());
      }
    }

    assertThat(invalid).isEmpty();
  }

  @Test
  void shouldTellAWholeSessionFromStartToCompletion() {
    List<String> types =
        events(demo.newSessionId()).stream().map(event -> event.get("type").asString()).toList();

    assertThat(types).hasSizeBetween(35, 50);
    assertThat(types.get(0)).isEqualTo("session.started");
    assertThat(types.get(types.size() - 1)).isEqualTo("session.completed");
    assertThat(new HashSet<>(types))
        .containsAll(
            Set.of(
                "workflow.phase_changed",
                "thinking.started",
                "thinking.completed",
                "tool.started",
                "tool.completed",
                "tool.failed",
                "file.edited",
                "message.chunk",
                "message.completed",
                "log"));
    assertThat(toolNames(events(demo.newSessionId()), "tool.completed")).contains("Read", "Grep");
  }

  @Test
  void shouldGiveEveryRunANewSessionWithNewEventIdsAndCurrentTimestamps() {
    List<ObjectNode> first = events(demo.newSessionId());
    List<ObjectNode> second = events(demo.newSessionId());

    Set<String> ids = new HashSet<>();
    first.forEach(event -> ids.add(event.get("id").asString()));
    second.forEach(event -> ids.add(event.get("id").asString()));
    assertThat(ids).hasSize(first.size() + second.size());
    assertThat(first.get(0).get("sessionId").asString())
        .isNotEqualTo(second.get(0).get("sessionId").asString())
        .startsWith("demo-20260130-120000-");
    assertThat(first)
        .allSatisfy(event -> assertThat(event.get("ts").asString()).isEqualTo(NOW.toString()));
    assertThat(first)
        .allSatisfy(event -> assertThat(event.get("orgId").asString()).isEqualTo("demo"));
  }

  @Test
  void shouldPostEveryEventInOrderWithTheIngestToken() throws Exception {
    List<String> authorizations = new ArrayList<>();
    List<JsonNode> posted = new ArrayList<>();
    ingest = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ingest.createContext(
        "/v1/events",
        exchange -> {
          try (InputStream body = exchange.getRequestBody()) {
            posted.add(MAPPER.readTree(body.readAllBytes()));
          }
          authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] answer =
              "{\"accepted\":1,\"duplicates\":0,\"rejected\":[]}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(202, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    ingest.start();
    URI events = URI.create("http://127.0.0.1:" + ingest.getAddress().getPort() + "/v1/events");

    DemoSession.Result result =
        demo.replay(events, "tok", "demo", "ses-1", Duration.ZERO, line -> {});

    assertThat(result)
        .isEqualTo(new DemoSession.Result("ses-1", demo.size(), demo.size(), 0, List.of()));
    assertThat(authorizations).hasSize(demo.size()).containsOnly("Bearer tok");
    assertThat(posted.stream().map(event -> event.get("id").asString()).toList())
        .isEqualTo(
            IntStream.rangeClosed(1, demo.size())
                .mapToObj(i -> "ses-1." + String.format("%03d", i))
                .toList());
  }

  private List<ObjectNode> events(String sessionId) {
    return IntStream.range(0, demo.size()).mapToObj(i -> demo.event(i, "demo", sessionId)).toList();
  }

  private static List<String> toolNames(List<ObjectNode> events, String type) {
    return events.stream()
        .filter(event -> event.get("type").asString().equals(type))
        .map(event -> event.path("data").path("toolName").asString())
        .toList();
  }
}
