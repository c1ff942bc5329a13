package dev.agentfeed.gateway;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** An SSE client as a test sees it: the JDK's HTTP client, keeping every event and comment. */
final class SseClient implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One server-sent event. */
  record Event(String id, String name, JsonNode data) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<String> comments = new CopyOnWriteArrayList<>();
  private final InputStream body;
  private final int status;

  private SseClient(HttpResponse<InputStream> response) {
    this.status = response.statusCode();
    this.body = response.body();
    Thread reader = new Thread(this::read, "test-sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens the stream; {@code lastEventId} may be null. */
  static SseClient open(URI uri, String token, String lastEventId) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + token)
            .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
  }

  int status() {
    return status;
  }

  /** Every event, in arrival order. */
  List<Event> events() {
    return List.copyOf(events);
  }

  List<Event> events(String name) {
    return events.stream().filter(e -> name.equals(e.name())).toList();
  }

  List<Long> seqs() {
    return events("event").stream().map(e -> e.data().path("event").path("seq").asLong()).toList();
  }

  List<String> comments() {
    return List.copyOf(comments);
  }

  void awaitEvents(int count) {
    await().atMost(StreamClient.WAIT).until(() -> events("event").size() >= count);
  }

  private void read() {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String name = null;
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            events.add(new Event(id, name, JSON.readTree(data.toString())));
          }
          id = null;
          name = null;
          data.setLength(0);
        } else if (line.startsWith(":")) {
          comments.add(line.substring(1));
        } else if (line.startsWith("id:")) {
          id = line.substring(3);
        } else if (line.startsWith("event:")) {
          name = line.substring(6);
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5));
        }
      }
    } catch (IOException e) {
      // closed by the test
    }
  }

  @Override
  public void close() throws IOException {
    body.close();
  }
}
