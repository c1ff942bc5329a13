package dev.agentfeed.client;

import static dev.agentfeed.client.TestEvents.ORG;
import static dev.agentfeed.client.TestEvents.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.client.testing.LocalIngest;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The client against the real ingest service on a real broker. The service's per-session rate limit
 * is set low (100 events/s, burst 100), so that sending a few hundred events meets real 429s.
 */
class AgentfeedClientIngestTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private static LocalIngest ingest;

  private final String session = "ses-" + UUID.randomUUID();

  @BeforeAll
  static void start() {
    ingest =
        new LocalIngest(
            "agentfeed.ingest.rate-limit.events-per-second=100",
            "agentfeed.ingest.rate-limit.burst=100");
  }

  @AfterAll
  static void stop() {
    ingest.close();
  }

  private AgentfeedClient.Builder client() {
    return AgentfeedClient.builder(ingest.uri(), ingest.token(ORG))
        .maxBatchEvents(50)
        .backoff(Duration.ofMillis(50), Duration.ofSeconds(2));
  }

  @Test
  void shouldStoreEveryEventOnceInOrderRetryingThroughTheRateLimit() {
    List<EventEnvelope> events = TestEvents.logs(session, 300);

    ClientStats stats;
    try (AgentfeedClient client = client().build()) {
      events.forEach(client::send);
      assertThat(client.flush(WAIT)).isTrue();
      stats = client.stats();
    }

    assertThat(ids(ingest.stored(session, s -> s.size() >= 300))).isEqualTo(ids(events));
    assertThat(stats.retries()).isPositive();
    assertThat(List.of(stats.accepted(), stats.duplicates(), stats.rejected(), stats.failed()))
        .isEqualTo(List.of(300L, 0L, 0L, 0L));
  }

  @Test
  void shouldStoreNothingTwiceWhenTheSameEventsAreSentAgain() {
    List<EventEnvelope> events = TestEvents.logs(session, 20);
    try (AgentfeedClient first = client().build()) {
      events.forEach(first::send);
      first.flush(WAIT);
    }

    ClientStats again;
    try (AgentfeedClient second = client().build()) {
      events.forEach(second::send);
      second.send(TestEvents.log(session, 20));
      second.flush(WAIT);
      again = second.stats();
    }

    List<EventEnvelope> stored =
        ingest.stored(session, s -> ids(s).contains(TestEvents.log(session, 20).id()));
    assertThat(ids(stored)).isEqualTo(ids(TestEvents.logs(session, 21)));
    assertThat(List.of(again.accepted(), again.duplicates())).isEqualTo(List.of(1L, 20L));
  }

  @Test
  void shouldReportAnInvalidEventAsRejectedAndStoreTheRestOfItsBatch() {
    EventEnvelope invalid =
        new EventEnvelope(
            "bad-1",
            EventType.TOOL_STARTED,
            ORG,
            session,
            null,
            null,
            TestEvents.log(session, 0).ts(),
            JsonNodeFactory.instance.objectNode().put("toolId", "t1"),
            null,
            null,
            null);
    List<EventEnvelope> valid = TestEvents.logs(session, 3);
    Map<String, String> rejected = new ConcurrentHashMap<>();

    try (AgentfeedClient client =
        client()
            .listener(
                new DeliveryListener() {
                  @Override
                  public void rejected(EventEnvelope event, String error) {
                    rejected.put(event.id(), error);
                  }
                })
            .build()) {
      List<EventEnvelope> all = new ArrayList<>(valid);
      all.add(1, invalid);
      all.forEach(client::send);
      client.flush(WAIT);
    }

    assertThat(rejected).isEqualTo(Map.of("bad-1", "data.toolName: must not be blank"));
    assertThat(ids(ingest.stored(session, s -> s.size() >= 3))).isEqualTo(ids(valid));
  }

  @Test
  void shouldFailEventsOfAnotherOrgWithoutRetrying() {
    Map<String, String> failed = new ConcurrentHashMap<>();
    ClientStats stats;
    try (AgentfeedClient client =
        AgentfeedClient.builder(ingest.uri(), ingest.token("other-org"))
            .listener(
                new DeliveryListener() {
                  @Override
                  public void failed(EventEnvelope event, String reason) {
                    failed.put(event.id(), reason.substring(0, reason.indexOf(':')));
                  }
                })
            .build()) {
      client.send(TestEvents.log(session, 0));
      client.flush(WAIT);
      stats = client.stats();
    }

    assertThat(failed).isEqualTo(Map.of(TestEvents.log(session, 0).id(), "HTTP 403"));
    assertThat(stats.retries()).isZero();
  }
}
