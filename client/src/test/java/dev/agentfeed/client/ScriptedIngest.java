package dev.agentfeed.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A tiny local HTTP server standing in for ingest: each request to {@code /v1/events} is answered
 * by the script, which sees the request's body; bodies are recorded in order.
 */
final class ScriptedIngest implements AutoCloseable {

  /** One answer: a status, headers and a body; a null answer drops the connection instead. */
  record Answer(int status, List<String> headers, String body) {

    static Answer accepted(int events) {
      return new Answer(
          202, List.of(), "{\"accepted\":" + events + ",\"duplicates\":0,\"rejected\":[]}");
    }

    static Answer problem(int status, String... headers) {
      return new Answer(
          status, List.of(headers), "{\"status\":" + status + ",\"detail\":\"scripted\"}");
    }
  }

  private final HttpServer server;
  private final List<String> bodies = new CopyOnWriteArrayList<>();

  ScriptedIngest(Function<String, Answer> script) throws IOException {
    server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
    server.createContext(
        "/v1/events",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          bodies.add(body);
          answer(exchange, script.apply(body));
        });
    server.start();
  }

  private static void answer(HttpExchange exchange, Answer answer) throws IOException {
    if (answer == null) {
      exchange.close();
      return;
    }
    for (int i = 0; i + 1 < answer.headers().size(); i += 2) {
      exchange.getResponseHeaders().add(answer.headers().get(i), answer.headers().get(i + 1));
    }
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(answer.status(), bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  URI uri() {
    return URI.create("http://localhost:" + server.getAddress().getPort());
  }

  List<String> bodies() {
    return List.copyOf(bodies);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
