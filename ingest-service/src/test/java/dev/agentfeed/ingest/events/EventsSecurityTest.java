package dev.agentfeed.ingest.events;

import static dev.agentfeed.ingest.events.RunningIngest.JSON;
import static dev.agentfeed.ingest.events.RunningIngest.NDJSON;
import static dev.agentfeed.ingest.events.RunningIngest.ORG;
import static dev.agentfeed.ingest.events.RunningIngest.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Who may post events, and to which org and session. */
class EventsSecurityTest {

  private static final String OTHER_ORG = "globex";

  private static RunningIngest ingest;

  private final String session = RunningIngest.newSession();

  @BeforeAll
  static void start() {
    ingest = RunningIngest.start();
  }

  @AfterAll
  static void stop() {
    ingest.close();
  }

  @Test
  void shouldAnswer401ProblemWithoutAToken() {
    HttpResponse<String> response = ingest.post(null, JSON, event("e1", ORG, session));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .get()
        .asString()
        .startsWith("Bearer");
    assertThat(ingest.body(response))
        .isEqualTo(
            ingest.problem(
                401, "Unauthorized", "a bearer token is required (Authorization: Bearer <jwt>)"));
  }

  @Test
  void shouldAnswer401ProblemForATokenSignedWithAnotherSecret() {
    String forged =
        new TokenMinter("another-secret-0123456789abcdef-0123456789", Clock.systemUTC())
            .mint(ORG, List.of(Scope.INGEST), null, Duration.ofMinutes(5));

    HttpResponse<String> response = ingest.post(forged, JSON, event("e1", ORG, session));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(ingest.body(response).get("detail").asString())
        .startsWith("the bearer token is not valid: ");
  }

  @Test
  void shouldAnswer403ProblemForATokenWithoutTheIngestScope() {
    String reader = ingest.token(ORG, null, Scope.READ);

    HttpResponse<String> response = ingest.post(reader, JSON, event("e1", ORG, session));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(ingest.body(response))
        .isEqualTo(
            ingest.problem(403, "Forbidden", "the token's scope does not allow POST /v1/events"));
  }

  @Test
  void shouldRefuseAnEventOfAnotherOrgWith403AndStoreNothing() {
    String own = event("e1", ORG, session);
    String foreign = event("e2", OTHER_ORG, session);

    HttpResponse<String> response =
        ingest.post(ingest.ingestToken(ORG), JSON, "[" + own + "," + foreign + "]");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(ingest.body(response))
        .isEqualTo(
            ingest
                .problem(
                    403,
                    "Forbidden",
                    "the event at index 1 is for org 'globex' but the token is for org 'acme';"
                        + " nothing in this request was stored")
                .put("index", 1));
    assertThat(ingest.storedFor(ORG, session)).isEmpty();
  }

  @Test
  void shouldRefuseAnEventOfAnotherSessionWith403WhenTheTokenIsConfinedToASession() {
    String otherSession = RunningIngest.newSession();
    String sandbox = ingest.token(ORG, session, Scope.INGEST);

    HttpResponse<String> response = ingest.post(sandbox, JSON, event("e1", ORG, otherSession));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(ingest.body(response))
        .isEqualTo(
            ingest
                .problem(
                    403,
                    "Forbidden",
                    "the event at index 0 is for session '"
                        + otherSession
                        + "' but the token is confined to session '"
                        + session
                        + "'; nothing in this request was stored")
                .put("index", 0));
    assertThat(ingest.storedFor(ORG, otherSession)).isEmpty();
  }

  @Test
  void shouldAcceptEventsOfItsOwnSessionWithASessionToken() {
    String sandbox = ingest.token(ORG, session, Scope.INGEST);
    String event = event("e1", ORG, session);

    HttpResponse<String> response = ingest.post(sandbox, JSON, event);

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(event));
  }

  @Test
  void shouldStopAnNdjsonStreamAtAForeignLineAndReportWhatWasStored() {
    String first = event("e1", ORG, session);
    String invalid = event("e2", ORG, session, "");
    String foreign = event("e3", OTHER_ORG, session);
    String after = event("e4", ORG, session);

    HttpResponse<String> response =
        ingest.post(
            ingest.ingestToken(ORG),
            NDJSON,
            String.join("\n", first, invalid, foreign, after) + "\n");

    assertThat(response.statusCode()).isEqualTo(403);
    ObjectNode expected =
        ingest
            .problem(
                403,
                "Forbidden",
                "the event at index 2 is for org 'globex' but the token is for org 'acme'; the"
                    + " lines before it were processed as accepted, duplicates and rejected say,"
                    + " and the rest of the body was not read")
            .put("index", 2)
            .put("accepted", 1)
            .put("duplicates", 0);
    expected
        .putArray("rejected")
        .addObject()
        .put("index", 1)
        .put("error", "data.toolName: must not be blank");
    assertThat(ingest.body(response)).isEqualTo(expected);
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(first));
  }

  @Test
  void shouldServeHealthWithoutAToken() {
    List<String> statuses =
        List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")
            .stream()
            .map(ingest::get)
            .map(response -> response.statusCode() + " " + ingest.body(response).get("status"))
            .toList();

    assertThat(statuses).isEqualTo(List.of("200 \"UP\"", "200 \"UP\"", "200 \"UP\""));
  }

  @Test
  void shouldRequireATokenForAnythingElse() {
    List<Integer> statuses =
        List.of("/actuator/info", "/v1/events", "/anything").stream()
            .map(path -> ingest.get(path).statusCode())
            .toList();

    assertThat(statuses).isEqualTo(List.of(401, 401, 401));
  }
}
