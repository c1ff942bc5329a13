package dev.agentfeed.ingest.events;

import static dev.agentfeed.ingest.events.RunningIngest.JSON;
import static dev.agentfeed.ingest.events.RunningIngest.NDJSON;
import static dev.agentfeed.ingest.events.RunningIngest.ORG;
import static dev.agentfeed.ingest.events.RunningIngest.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.model.EventType;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.ProducerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** What {@code POST /v1/events} accepts, rejects and stores, for each body format. */
class PostEventsTest {

  private static final int MAX_EVENT_BYTES = 8 * 1024;

  private static RunningIngest ingest;

  private final String session = RunningIngest.newSession();

  @BeforeAll
  static void start() {
    ingest = RunningIngest.start("agentfeed.ingest.max-event-size=" + MAX_EVENT_BYTES + "B");
  }

  @AfterAll
  static void stop() {
    ingest.close();
  }

  private HttpResponse<String> post(String contentType, String body) {
    return ingest.post(ingest.ingestToken(ORG), contentType, body);
  }

  private static String array(String... events) {
    return "[" + String.join(",", events) + "]";
  }

  private static String lines(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  private ObjectNode report(int accepted, int duplicates, Object... indexAndError) {
    ObjectNode report = ingest.json.createObjectNode();
    report.put("accepted", accepted).put("duplicates", duplicates);
    report.set("rejected", rejected(indexAndError));
    return report;
  }

  private ArrayNode rejected(Object... indexAndError) {
    ArrayNode rejected = ingest.json.createArrayNode();
    for (int i = 0; i < indexAndError.length; i += 2) {
      rejected
          .addObject()
          .put("index", (Integer) indexAndError[i])
          .put("error", (String) indexAndError[i + 1]);
    }
    return rejected;
  }

  @Test
  void shouldStoreASingleEventKeyedBySessionWithReceivedAt() {
    String event = event("e1", ORG, session);

    HttpResponse<String> response = post(JSON, event);

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(ingest.body(response)).isEqualTo(report(1, 0));
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(event));
  }

  @Test
  void shouldStoreTheValidEventsOfAnArrayAndReportTheInvalidOneByIndex() {
    String first = event("e1", ORG, session);
    String invalid = event("e2", ORG, session, " ");
    String third = event("e3", ORG, session);

    HttpResponse<String> response = post(JSON, array(first, invalid, third));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(ingest.body(response))
        .isEqualTo(report(2, 0, 1, "data.toolName: must not be blank"));
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(first, third));
  }

  @Test
  void shouldReportABrokenNdjsonLineByLineNumberAndStoreTheOthersInOrder() {
    String first = event("e1", ORG, session);
    String last = event("e4", ORG, session);

    HttpResponse<String> response = post(NDJSON, lines(first, "", "{\"id\": nope}", last));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(ingest.body(response))
        .isEqualTo(
            report(
                2,
                0,
                2,
                "not valid JSON: Unrecognized token 'nope': was expecting (JSON String, Number,"
                    + " Array, Object or token 'null', 'true' or 'false') at column 8"));
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(first, last));
  }

  @Test
  void shouldStoreEachNdjsonLineWhileTheBodyIsStillArriving() throws Exception {
    String first = event("e1", ORG, session);
    String second = event("e2", ORG, session);
    try (SubmissionPublisher<ByteBuffer> sandbox = new SubmissionPublisher<>()) {
      CompletableFuture<HttpResponse<String>> response =
          CompletableFuture.supplyAsync(
              () ->
                  ingest.post(
                      ingest.ingestToken(ORG),
                      NDJSON,
                      HttpRequest.BodyPublishers.fromPublisher(sandbox)));
      // A SubmissionPublisher drops what is submitted before the client subscribes.
      await().atMost(Duration.ofSeconds(10)).until(sandbox::hasSubscribers);
      sandbox.submit(utf8(first + "\n"));
      ingest.awaitStored(session, "e1");
      sandbox.submit(utf8(second + "\n"));
      sandbox.close();

      assertThat(response.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
      assertThat(ingest.body(response.get())).isEqualTo(report(2, 0));
    }
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(first, second));
  }

  private static ByteBuffer utf8(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldAnswer400WithEveryRejectionWhenNoEventIsValid() {
    String noTool = event("e1", ORG, session, "");
    String badId = event("bad id", ORG, session);

    HttpResponse<String> response = post(JSON, array(noTool, badId));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(ingest.body(response))
        .isEqualTo(
            ingest
                .problem(400, "Bad Request", "none of the 2 events is valid; rejected says why")
                .set(
                    "rejected",
                    rejected(
                        0,
                        "data.toolName: must not be blank",
                        1,
                        "id: must match [A-Za-z0-9._:-]{1,128}")));
    assertThat(ingest.storedFor(ORG, session)).isEmpty();
  }

  @Test
  void shouldRejectAnUnknownEventTypeNamingTheKnownTypes() {
    String unknown = event("e1", ORG, session).replace("tool.completed", "tool.exploded");

    HttpResponse<String> response = post(JSON, unknown);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(ingest.body(response))
        .isEqualTo(
            ingest
                .problem(400, "Bad Request", "the event is not valid; rejected says why")
                .set(
                    "rejected",
                    rejected(
                        0,
                        "type: unknown event type 'tool.exploded'; expected one of "
                            + EventType.wireNames())));
  }

  @Test
  void shouldSendAnIdRepeatedInOneRequestOnce() {
    String event = event("e1", ORG, session);

    HttpResponse<String> response = post(JSON, array(event, event));

    assertThat(ingest.body(response)).isEqualTo(report(1, 1));
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(event));
  }

  @Test
  void shouldAnswerARetriedRequestWithDuplicatesAndSendNothingAgain() {
    String first = event("e1", ORG, session);
    String second = event("e2", ORG, session);
    assertThat(ingest.body(post(JSON, array(first, second)))).isEqualTo(report(2, 0));

    HttpResponse<String> retry = post(JSON, array(first, second));

    assertThat(retry.statusCode()).isEqualTo(202);
    assertThat(ingest.body(retry)).isEqualTo(report(0, 2));
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(first, second));
  }

  @Test
  void shouldTreatTheSameIdInAnotherSessionAsANewEvent() {
    String otherSession = RunningIngest.newSession();
    assertThat(ingest.body(post(JSON, event("e1", ORG, session)))).isEqualTo(report(1, 0));

    HttpResponse<String> response = post(JSON, event("e1", ORG, otherSession));

    assertThat(ingest.body(response)).isEqualTo(report(1, 0));
  }

  @Test
  void shouldRejectAnEventOverTheSizeLimitOnItsOwn() {
    String small = event("e1", ORG, session);
    String large = event("e2", ORG, session, "x".repeat(MAX_EVENT_BYTES));
    int largeBytes = large.getBytes(StandardCharsets.UTF_8).length;

    HttpResponse<String> response = post(JSON, array(small, large));

    assertThat(ingest.body(response))
        .isEqualTo(
            report(1, 0, 1, "event is " + largeBytes + " bytes; the limit is " + MAX_EVENT_BYTES));
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(small));
  }

  @Test
  void shouldRejectAnNdjsonLineOverTheSizeLimitAndGoOnWithTheNextLines() {
    String large = event("e1", ORG, session, "x".repeat(MAX_EVENT_BYTES));
    String small = event("e2", ORG, session);
    int largeBytes = large.getBytes(StandardCharsets.UTF_8).length;

    HttpResponse<String> response = post(NDJSON, lines(large, small));

    assertThat(ingest.body(response))
        .isEqualTo(
            report(1, 0, 0, "event is " + largeBytes + " bytes; the limit is " + MAX_EVENT_BYTES));
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(small));
  }

  @Test
  void shouldAnswer400WithTheLocationWhenTheBodyIsNotJson() {
    HttpResponse<String> response = post(JSON, "[\n" + event("e1", ORG, session) + ",\n oops]");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(ingest.body(response))
        .isEqualTo(
            ingest.problem(
                400,
                "Bad Request",
                "the body is not valid JSON: Unrecognized token 'oops': was expecting (JSON"
                    + " String, Number, Array, Object or token 'null', 'true' or 'false') at line"
                    + " 3, column 2"));
    assertThat(ingest.storedFor(ORG, session)).isEmpty();
  }

  @Test
  void shouldAnswer400ForABodyThatIsNeitherAnEventNorAnArray() {
    HttpResponse<String> response = post(JSON, "\"hello\"");

    assertThat(ingest.body(response))
        .isEqualTo(
            ingest.problem(
                400,
                "Bad Request",
                "the body must be one event (a JSON object) or an array of events, not a string"));
  }

  @Test
  void shouldAnswer400ForAnEmptyBody() {
    List<HttpResponse<String>> responses =
        List.of(post(JSON, ""), post(JSON, "[]"), post(NDJSON, "\n\n"));

    assertThat(responses)
        .extracting(ingest::body)
        .containsOnly(ingest.problem(400, "Bad Request", "no events in the body"));
  }

  @Test
  void shouldAnswer415NamingTheAcceptedContentTypes() {
    HttpResponse<String> response = post("text/plain", event("e1", ORG, session));

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(ingest.body(response))
        .isEqualTo(
            ingest.problem(
                415,
                "Unsupported Media Type",
                "Content-Type 'text/plain' is not supported; send application/json or"
                    + " application/x-ndjson"));
  }

  @Test
  void shouldWriteThroughAnIdempotentAcksAllProducerBoundedByTheKafkaTimeout() {
    Map<String, Object> settings = ingest.bean(ProducerFactory.class).getConfigurationProperties();

    assertThat(settings)
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
        .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000")
        .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
  }

  @Test
  void shouldCountAcceptedRejectedAndDuplicateEvents() {
    MeterRegistry registry = ingest.bean(MeterRegistry.class);
    Map<String, Double> before = countsByOutcome(registry);

    post(
        JSON,
        array(
            event("e1", ORG, session),
            event("e1", ORG, session),
            event("e2", ORG, session, ""),
            event("e3", ORG, session)));

    Map<String, Double> after = countsByOutcome(registry);
    assertThat(Map.of("accepted", 2.0, "rejected", 1.0, "duplicate", 1.0))
        .allSatisfy(
            (outcome, increase) ->
                assertThat(after.get(outcome) - before.get(outcome)).isEqualTo(increase));
  }

  private static Map<String, Double> countsByOutcome(MeterRegistry registry) {
    return Stream.of("accepted", "rejected", "duplicate")
        .collect(
            Collectors.toMap(
                outcome -> outcome,
                outcome ->
                    registry.get(IngestMetrics.NAME).tag("outcome", outcome).counter().count()));
  }
}
