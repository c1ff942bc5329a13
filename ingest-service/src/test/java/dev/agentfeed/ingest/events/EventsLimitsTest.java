package dev.agentfeed.ingest.events;

import static dev.agentfeed.ingest.events.RunningIngest.JSON;
import static dev.agentfeed.ingest.events.RunningIngest.NDJSON;
import static dev.agentfeed.ingest.events.RunningIngest.ORG;
import static dev.agentfeed.ingest.events.RunningIngest.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The request size limit, whether the body declares its length or is streamed in chunks. */
class EventsLimitsTest {

  private static final int MAX_REQUEST_BYTES = 64 * 1024;

  private static RunningIngest ingest;

  private final String session = RunningIngest.newSession();

  @BeforeAll
  static void start() {
    ingest =
        RunningIngest.start(
            "agentfeed.ingest.max-request-size=" + MAX_REQUEST_BYTES + "B",
            "agentfeed.ingest.max-event-size=8KB",
            // Far less than the bodies below: Tomcat gives up reading them and closes.
            "server.tomcat.max-swallow-size=1MB");
  }

  @AfterAll
  static void stop() {
    ingest.close();
  }

  /** Events of equal size, more of them than fit in one request. */
  private String[] eventsOverTheLimit() {
    return IntStream.range(0, 400)
        .mapToObj(i -> event("e%04d".formatted(i), ORG, session))
        .toArray(String[]::new);
  }

  private static HttpRequest.BodyPublisher chunked(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
  }

  private ObjectNode problem(String detail) {
    return ingest
        .json
        .createObjectNode()
        .put("detail", detail)
        .put("instance", "/v1/events")
        .put("status", 413)
        .put("title", "Content Too Large");
  }

  @Test
  void shouldAnswer413AtOnceWhenTheDeclaredLengthIsOverTheLimit() {
    String body = "[" + String.join(",", eventsOverTheLimit()) + "]";

    HttpResponse<String> response = ingest.post(ingest.ingestToken(ORG), JSON, body);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(ingest.body(response))
        .isEqualTo(
            problem(
                "the body is "
                    + body.length()
                    + " bytes; the limit is 65536; send the events in smaller requests; nothing"
                    + " in this request was stored"));
    assertThat(ingest.storedFor(ORG, session)).isEmpty();
  }

  @Test
  void shouldDeliverThe413WholeEvenWhenTomcatClosesTheConnectionAfterIt() {
    String body = "[" + "x".repeat(20_000_000) + "]";

    HttpResponse<String> response = ingest.post(ingest.ingestToken(ORG), JSON, body);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(ingest.body(response))
        .isEqualTo(
            problem(
                "the body is 20000002 bytes; the limit is 65536; send the events in smaller"
                    + " requests; nothing in this request was stored"));
  }

  @Test
  void shouldAnswer413ForAChunkedJsonBodyOverTheLimitAndStoreNothing() {
    String body = "[" + String.join(",", eventsOverTheLimit()) + "]";

    HttpResponse<String> response = ingest.post(ingest.ingestToken(ORG), JSON, chunked(body));

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(ingest.body(response))
        .isEqualTo(
            problem(
                "the body is larger than the limit of 65536 bytes; send the events in smaller"
                    + " requests; nothing in this request was stored"));
    assertThat(ingest.storedFor(ORG, session)).isEmpty();
  }

  @Test
  void shouldAnswer413ForAChunkedNdjsonBodyOverTheLimitWithWhatWasStored() {
    String[] events = eventsOverTheLimit();
    int lineBytes = events[0].length() + 1;
    int completeLines = MAX_REQUEST_BYTES / lineBytes;

    HttpResponse<String> response =
        ingest.post(ingest.ingestToken(ORG), NDJSON, chunked(String.join("\n", events) + "\n"));

    assertThat(response.statusCode()).isEqualTo(413);
    ObjectNode expected =
        problem(
                "the body is larger than the limit of 65536 bytes; send the events in smaller"
                    + " requests; the complete lines within the limit were processed as accepted,"
                    + " duplicates and rejected say, and the rest of the body was not read")
            .put("accepted", completeLines)
            .put("duplicates", 0);
    expected.putArray("rejected");
    assertThat(ingest.body(response)).isEqualTo(expected);
    List<String> stored = Arrays.asList(events).subList(0, completeLines);
    assertThat(ingest.storedFor(ORG, session))
        .isEqualTo(ingest.asStored(stored.toArray(String[]::new)));
  }
}
