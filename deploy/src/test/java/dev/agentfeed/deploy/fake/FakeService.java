package dev.agentfeed.deploy.fake;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * Stands in for a service's runnable jar in launcher tests: it records its arguments in {@code
 * <working dir>/<port>.args}, answers {@code /actuator/health} with UP (and, as the stream
 * processor does once ready, a Kafka Streams component that is RUNNING) and {@code POST /v1/events}
 * with 202, and runs until stopped. With {@code --fake.exit=N} it exits with N at once instead.
 */
public final class FakeService {

  private FakeService() {}

  public static void main(String[] args) throws Exception {
    String port = value(args, "--server.port=");
    Files.write(Path.of(port + ".args"), Arrays.asList(args), StandardCharsets.UTF_8);
    String exit = value(args, "--fake.exit=");
    if (exit != null) {
      System.exit(Integer.parseInt(exit));
    }
    HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(port)), 0);
    server.createContext(
        "/actuator/health",
        exchange ->
            answer(
                exchange,
                200,
                "{\"components\":{\"kafkaStreams\":{\"details\":{\"state\":\"RUNNING\"},"
                    + "\"status\":\"UP\"}},\"status\":\"UP\"}"));
    server.createContext(
        "/v1/events",
        exchange -> answer(exchange, 202, "{\"accepted\":1,\"duplicates\":0,\"rejected\":[]}"));
    server.start();
    new CountDownLatch(1).await();
  }

  private static String value(String[] args, String prefix) {
    return Arrays.stream(args)
        .filter(arg -> arg.startsWith(prefix))
        .map(arg -> arg.substring(prefix.length()))
        .reduce((first, last) -> last)
        .orElse(null);
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
