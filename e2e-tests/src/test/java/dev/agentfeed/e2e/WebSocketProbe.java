package dev.agentfeed.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A dashboard as any WebSocket client would be: the JDK client, collecting every frame. */
final class WebSocketProbe implements AutoCloseable {

  private final JsonMapper json = JsonMapper.builder().build();
  private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
  private final WebSocket socket;

  WebSocketProbe(URI uri, String token) {
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Authorization", "Bearer " + token)
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(uri, new Collector())
            .join();
  }

  void send(String frame) {
    socket.sendText(frame, true).join();
  }

  /** Every frame received so far, in arrival order. */
  List<JsonNode> frames() {
    return List.copyOf(frames);
  }

  /** The frames of one kind ({@code op}) received so far. */
  List<JsonNode> frames(String op) {
    return frames.stream().filter(f -> op.equals(f.path("op").asString())).toList();
  }

  /** The envelopes delivered to subscription {@code sub}, from event and batch frames. */
  List<JsonNode> events(String sub) {
    List<JsonNode> events = new ArrayList<>();
    for (JsonNode frame : frames) {
      if (!sub.equals(frame.path("sub").asString())) {
        continue;
      }
      if ("event".equals(frame.path("op").asString())) {
        events.add(frame.get("event"));
      } else if ("batch".equals(frame.path("op").asString())) {
        frame.get("events").forEach(events::add);
      }
    }
    return events;
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
  }

  private final class Collector implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(json.readTree(partial.toString()));
        partial.setLength(0);
      }
      webSocket.request(1);
      return CompletableFuture.completedFuture(null);
    }
  }
}
