package dev.agentfeed.gateway;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A dashboard as a test sees it: the JDK's WebSocket client, keeping every frame it receives. It
 * can stop reading, like a slow client, and the socket then backs up for real.
 */
final class StreamClient implements WebSocket.Listener, AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(30);

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket socket;
  private volatile boolean paused;
  private volatile Integer closeCode;

  private StreamClient() {}

  /** Connects with the token in the Authorization header; fails as the handshake fails. */
  static StreamClient connect(URI uri, String token) {
    StreamClient client = new StreamClient();
    WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    // A failed handshake surfaces as a CompletionException around the handshake exception.
    client.socket = builder.buildAsync(uri, client).join();
    return client;
  }

  void send(String json) {
    socket.sendText(json, true).join();
  }

  /** Stops reading: frames pile up in the socket and, behind it, at the server. */
  void pause() {
    paused = true;
  }

  void resume() {
    paused = false;
    socket.request(1);
  }

  List<JsonNode> frames() {
    return List.copyOf(frames);
  }

  List<JsonNode> frames(String op) {
    return frames.stream().filter(f -> op.equals(f.path("op").asString())).toList();
  }

  /** The event frames of one subscription, in arrival order. */
  List<JsonNode> events(String subscription) {
    return frames("event").stream()
        .filter(f -> subscription.equals(f.path("sub").asString()))
        .toList();
  }

  List<Long> seqs(String subscription) {
    return events(subscription).stream().map(f -> f.path("event").path("seq").asLong()).toList();
  }

  /** The event and batch frames of one subscription, in arrival order. */
  List<JsonNode> deliveries(String subscription) {
    return frames.stream()
        .filter(
            f -> "event".equals(f.path("op").asString()) || "batch".equals(f.path("op").asString()))
        .filter(f -> subscription.equals(f.path("sub").asString()))
        .toList();
  }

  /** The events one subscription got, in order, whether alone or in batches. */
  List<JsonNode> deliveredEvents(String subscription) {
    List<JsonNode> result = new java.util.ArrayList<>();
    for (JsonNode frame : deliveries(subscription)) {
      if (frame.has("event")) {
        result.add(frame.get("event"));
      } else {
        frame.get("events").forEach(result::add);
      }
    }
    return result;
  }

  /** "session/seq" of every event one subscription got, in order. */
  List<String> delivered(String subscription) {
    return deliveredEvents(subscription).stream()
        .map(e -> e.path("sessionId").asString() + "/" + e.path("seq").asLong())
        .toList();
  }

  void awaitDelivered(String subscription, int count) {
    await().atMost(WAIT).until(() -> deliveredEvents(subscription).size() >= count);
  }

  /** The cursor of the last event or batch frame of a subscription. */
  String lastCursor(String subscription) {
    List<JsonNode> frames = deliveries(subscription);
    return frames.get(frames.size() - 1).path("cursor").asString();
  }

  JsonNode awaitFrame(Predicate<JsonNode> matching) {
    await().atMost(WAIT).until(() -> frames.stream().anyMatch(matching));
    return frames.stream().filter(matching).findFirst().orElseThrow();
  }

  JsonNode awaitFrame(String op, String id) {
    return awaitFrame(
        f -> op.equals(f.path("op").asString()) && id.equals(f.path("id").asString()));
  }

  void awaitEvents(String subscription, int count) {
    await().atMost(WAIT).until(() -> events(subscription).size() >= count);
  }

  Integer closeCode() {
    return closeCode;
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(JSON.readTree(partial.toString()));
      partial.setLength(0);
    }
    if (!paused) {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode = statusCode;
    return null;
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
    }
    socket.abort();
  }
}
