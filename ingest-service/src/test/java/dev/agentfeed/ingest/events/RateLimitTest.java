package dev.agentfeed.ingest.events;

import static dev.agentfeed.ingest.events.RunningIngest.JSON;
import static dev.agentfeed.ingest.events.RunningIngest.NDJSON;
import static dev.agentfeed.ingest.events.RunningIngest.ORG;
import static dev.agentfeed.ingest.events.RunningIngest.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * The per-session rate limit of {@code POST /v1/events}: a bucket of 5 events refilled at 1 per
 * second, on a clock that stands still unless the test moves it.
 */
class RateLimitTest {

  private static RunningIngest ingest;

  private final String session = RunningIngest.newSession();

  @BeforeAll
  static void start() {
    ingest =
        RunningIngest.start(
            "agentfeed.ingest.rate-limit.burst=5",
            "agentfeed.ingest.rate-limit.events-per-second=1");
  }

  @AfterAll
  static void stop() {
    ingest.close();
  }

  private HttpResponse<String> post(String org, String contentType, String body) {
    return ingest.post(ingest.ingestToken(org), contentType, body);
  }

  private static String[] events(String org, String session, int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(i -> event("e" + i, org, session))
        .toArray(String[]::new);
  }

  private static String array(String... events) {
    return "[" + String.join(",", events) + "]";
  }

  private List<RunningIngest.Stored> stored(Instant receivedAt, String... events) {
    return Arrays.stream(events)
        .map(ingest.codec::fromJson)
        .map(e -> new RunningIngest.Stored(e.sessionId(), e.withReceivedAt(receivedAt)))
        .toList();
  }

  /** Refills every bucket, so that reading back (which posts a marker event) is not limited. */
  private List<RunningIngest.Stored> storedAfterRefill(String org, String session) {
    ingest.clock.advance(Duration.ofSeconds(10));
    return ingest.storedFor(org, session);
  }

  @Test
  void shouldAnswer429WithRetryAfterAndStoreNothingOfAJsonBatchOverTheTokensLeft() {
    Instant receivedAt = ingest.clock.instant();
    String[] first = events(ORG, session, 0, 3);
    assertThat(post(ORG, JSON, array(first)).statusCode()).isEqualTo(202);

    HttpResponse<String> limited = post(ORG, JSON, array(events(ORG, session, 3, 6)));

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(ingest.body(limited))
        .isEqualTo(
            problem(
                429,
                "Too Many Requests",
                "session '"
                    + session
                    + "' is over its rate limit; retry after 1 s (retrying with the same event ids"
                    + " is safe); nothing in this request was stored"));
    assertThat(storedAfterRefill(ORG, session)).isEqualTo(stored(receivedAt, first));
  }

  @Test
  void shouldStopAnNdjsonStreamAtTheFirstEventOverTheLimitKeepingTheLinesBefore() {
    Instant receivedAt = ingest.clock.instant();
    String[] events = events(ORG, session, 0, 7);

    HttpResponse<String> limited = post(ORG, NDJSON, String.join("\n", events) + "\n");

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    ObjectNode expected =
        problem(
            429,
            "Too Many Requests",
            "session '"
                + session
                + "' is over its rate limit; retry after 1 s (retrying with the same event ids is"
                + " safe); the lines before the one at index were processed as accepted,"
                + " duplicates and rejected say; that line and the rest of the body were not"
                + " read: send them again");
    expected.put("index", 5).put("accepted", 5).put("duplicates", 0).putArray("rejected");
    assertThat(ingest.body(limited)).isEqualTo(expected);
    assertThat(storedAfterRefill(ORG, session))
        .isEqualTo(stored(receivedAt, Arrays.copyOf(events, 5)));
  }

  @Test
  void shouldNotCountDuplicatesAgainstTheLimit() {
    String body = array(events(ORG, session, 0, 5));
    assertThat(post(ORG, JSON, body).statusCode()).isEqualTo(202);

    HttpResponse<String> again = post(ORG, JSON, body);

    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(ingest.body(again))
        .isEqualTo(
            ingest
                .json
                .createObjectNode()
                .put("accepted", 0)
                .put("duplicates", 5)
                .set("rejected", ingest.json.createArrayNode()));
  }

  @Test
  void shouldLimitEachSessionOfEachOrgOnItsOwn() {
    assertThat(post(ORG, JSON, array(events(ORG, session, 0, 5))).statusCode()).isEqualTo(202);

    HttpResponse<String> otherSession =
        post(ORG, JSON, array(events(ORG, RunningIngest.newSession(), 0, 5)));
    HttpResponse<String> otherOrg = post("globex", JSON, array(events("globex", session, 0, 5)));

    assertThat(List.of(otherSession.statusCode(), otherOrg.statusCode()))
        .isEqualTo(List.of(202, 202));
  }

  @Test
  void shouldAnswer413ForMoreEventsOfOneSessionThanTheBurstAllows() {
    HttpResponse<String> response = post(ORG, JSON, array(events(ORG, session, 0, 6)));

    assertThat(response.statusCode()).isEqualTo(413);
    ObjectNode expected =
        problem(
            413,
            "Content Too Large",
            "the request holds 6 new events for session '"
                + session
                + "' but a session may send at most 5 at once; send them in smaller requests;"
                + " nothing in this request was stored");
    expected.put("sessionId", session);
    assertThat(ingest.body(response)).isEqualTo(expected);
  }

  private ObjectNode problem(int status, String title, String detail) {
    ObjectNode problem = ingest.problem(status, title, detail);
    if (status == 429) {
      problem.put("sessionId", session);
    }
    return problem;
  }
}
