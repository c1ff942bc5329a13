package dev.agentfeed.ingest.events;

import static dev.agentfeed.ingest.events.RunningIngest.JSON;
import static dev.agentfeed.ingest.events.RunningIngest.NDJSON;
import static dev.agentfeed.ingest.events.RunningIngest.ORG;
import static dev.agentfeed.ingest.events.RunningIngest.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What a sandbox is told when Kafka stops acknowledging: 503, retry later, nothing lost. */
class KafkaUnavailableTest {

  private static RunningIngest ingest;

  private final String session = RunningIngest.newSession();

  @BeforeAll
  static void startAndStopTheBroker() {
    ingest =
        RunningIngest.start("agentfeed.ingest.kafka-timeout=2s", "agentfeed.ingest.retry-after=7s");
    // The producer is connected and knows the topic before the broker goes away.
    String session = RunningIngest.newSession();
    assertThat(
            ingest.post(ingest.ingestToken(ORG), JSON, event("warm-up", ORG, session)).statusCode())
        .isEqualTo(202);
    ingest.stopBroker();
  }

  @AfterAll
  static void stop() {
    ingest.close();
  }

  private JsonNode unavailable() {
    return ingest
        .json
        .createObjectNode()
        .put(
            "detail",
            "Kafka did not acknowledge the events within 2000 ms; nothing in this request is"
                + " acknowledged. Retry after 7 s: retrying with the same event ids is safe,"
                + " events already stored are not stored twice")
        .put("instance", "/v1/events")
        .put("status", 503)
        .put("title", "Service Unavailable");
  }

  @Test
  void shouldAnswer503WithRetryAfterWhenKafkaDoesNotAcknowledge() {
    HttpResponse<String> response =
        ingest.post(ingest.ingestToken(ORG), JSON, event("e1", ORG, session));

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(ingest.body(response)).isEqualTo(unavailable());
  }

  @Test
  void shouldAnswer503ForAStreamedBodyWhenKafkaDoesNotAcknowledge() {
    HttpResponse<String> response =
        ingest.post(
            ingest.ingestToken(ORG),
            NDJSON,
            event("e1", ORG, session) + "\n" + event("e2", ORG, session) + "\n");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(ingest.body(response)).isEqualTo(unavailable());
  }

  @Test
  void shouldNotReportAnUnstoredEventAsADuplicateWhenRetried() {
    String event = event("e1", ORG, session);

    List<Integer> statuses =
        List.of(
            ingest.post(ingest.ingestToken(ORG), JSON, event).statusCode(),
            ingest.post(ingest.ingestToken(ORG), JSON, event).statusCode());

    assertThat(statuses).isEqualTo(List.of(503, 503));
  }
}
