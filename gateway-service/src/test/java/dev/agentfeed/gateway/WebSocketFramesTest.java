package dev.agentfeed.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.net.URI;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Frames in both directions on a real WebSocket. The gateway keeps a small per-connection buffer
 * for client frames and joins longer ones from pieces: a frame up to the protocol's limit of 16,384
 * characters is served like any other, and a longer one is answered with a {@code bad_request}
 * error while the connection and its subscriptions stay. Server frames, which the gateway writes as
 * UTF-8 it encoded itself, carry any text intact.
 */
class WebSocketFramesTest {

  private static final String ORG = "frame-size-org";
  private static final int LIMIT = 16_384;

  private static TestGateway running;
  private static ConfigurableApplicationContext gateway;
  private static URI stream;
  private static String token;
  private static FeedProducer feed;

  @BeforeAll
  static void startGateway() {
    running = TestGateway.start(2);
    gateway = running.context;
    stream = running.stream;
    token = running.readToken(ORG);
    feed = running.feed;
  }

  @AfterAll
  static void stopGateway() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void shouldServeAnOrgWideSubscribeWithTheMostTypePatternsPaddedToTheLimit() {
    // 64 type patterns of 64 characters, the most a subscription may have: prefixes of type names
    // filled up with wildcards. The frame is padded with whitespace to exactly the limit.
    List<String> types =
        Stream.of(
                "session.started",
                "tool.completed",
                "message.chunk",
                "thinking.started",
                "workflow.phase_changed")
            .flatMap(
                type ->
                    IntStream.rangeClosed(1, type.length())
                        .mapToObj(k -> type.substring(0, k) + "*".repeat(64 - k)))
            .distinct()
            .limit(64)
            .toList();
    assertThat(types).hasSize(64);
    String id = "s".repeat(128);
    String frame =
        pad(
                "{\"op\":\"subscribe\",\"id\":\""
                    + id
                    + "\",\"orgId\":\""
                    + ORG
                    + "\",\"orgWide\":true,\"from\":\"live\",\"types\":[\""
                    + String.join("\",\"", types)
                    + "\"]",
                LIMIT - 1)
            + "}";
    assertThat(frame).hasSize(LIMIT);

    try (StreamClient client = StreamClient.connect(stream, token)) {
      client.send(frame);

      JsonNode subscribed = client.awaitFrame("subscribed", id);
      assertThat(subscribed.path("types").valueStream().map(JsonNode::asString).toList())
          .isEqualTo(types);
    }
  }

  @Test
  void shouldAnswerAFrameOverTheLimitWithAnErrorAndKeepTheConnectionAndItsSubscriptions() {
    try (StreamClient client = StreamClient.connect(stream, token)) {
      client.send(
          "{\"op\":\"subscribe\",\"id\":\"kept\",\"sessionId\":\"ses-1\",\"from\":\"live\"}");
      client.awaitFrame("subscribed", "kept");

      client.send(pad("{\"op\":\"ping\",\"id\":\"too-long\"", LIMIT) + "}");
      JsonNode error = client.awaitFrame(f -> "error".equals(f.path("op").asString()));
      client.send("{\"op\":\"unsubscribe\",\"id\":\"kept\"}");
      client.awaitFrame("unsubscribed", "kept");

      assertThat(List.of(error.path("code").asString(), error.path("message").asString()))
          .isEqualTo(
              List.of(
                  "bad_request",
                  "a frame may hold at most " + LIMIT + " characters; this one was ignored"));
      assertThat(client.frames("pong")).isEmpty();
      assertThat(client.closeCode()).isNull();
    }
  }

  @Test
  void shouldDeliverTextBeyondAsciiIntact() {
    String text = "naïve café: ✓ done in 3 µs, 日本語, 😀 and a \"quote\" \\ \u0001";
    EventEnvelope template = feed.event(ORG, "ses-text", 1, EventType.MESSAGE_CHUNK);
    ObjectNode data = template.data().deepCopy();
    data.put("text", text);
    EventEnvelope event =
        new EventEnvelope(
            template.id(),
            template.type(),
            template.orgId(),
            template.sessionId(),
            template.agentId(),
            template.source(),
            template.ts(),
            data,
            template.receivedAt(),
            template.seq(),
            template.tier());

    try (StreamClient client = StreamClient.connect(stream, token)) {
      client.send(
          "{\"op\":\"subscribe\",\"id\":\"t\",\"sessionId\":\"ses-text\",\"from\":\"live\"}");
      client.awaitFrame("subscribed", "t");
      feed.send(List.of(event));
      client.awaitEvents("t", 1);

      assertThat(
              client.events("t").stream()
                  .map(f -> f.path("event").path("data").path("text").asString())
                  .toList())
          .isEqualTo(List.of(text));
    }
  }

  private static String pad(String json, int length) {
    return json + " ".repeat(length - json.length());
  }
}
