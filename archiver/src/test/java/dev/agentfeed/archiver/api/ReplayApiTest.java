package dev.agentfeed.archiver.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.archiver.ArchiverApplication;
import dev.agentfeed.archiver.archive.TestArchives;
import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.ReplayFolder;
import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.archiver.testing.InProcessS3;
import dev.agentfeed.archiver.testing.TestSecurity;
import dev.agentfeed.archiver.testing.TestSessions;
import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.SessionRef;
import dev.agentfeed.model.Topics;
import dev.agentfeed.testing.KafkaTestBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The auditor API of a running archiver, on a real S3 endpoint holding replays written by the
 * archiver's own writer: org scoping from the token, the {@code audit} scope, presigned URLs that
 * fetch exactly the listed bytes.
 */
class ReplayApiTest {

  private static final String BUCKET = "agentfeed-replays";
  private static final Instant START = Instant.parse("2026-01-30T12:00:00Z");
  private static final EventCodec EVENTS = new EventCodec();
  private static final JsonMapper JSON = EVENTS.mapper();
  private static final TokenMinter TOKENS = new TokenMinter(TestSecurity.SECRET, Clock.systemUTC());
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String DASHBOARD = "https://dashboard.example";

  private static EmbeddedKafkaBroker broker;
  private static InProcessS3 s3;
  private static ConfigurableApplicationContext archiver;
  private static String base;

  @BeforeAll
  static void start() {
    Topics topics = Topics.withDefaultPrefix();
    broker = KafkaTestBroker.start(1, topics.enriched(), topics.deadLetters());
    s3 = InProcessS3.start();
    s3.createBucket(BUCKET);
    TestArchives archives = new TestArchives(s3.client(), BUCKET);
    archives.archive(TestSessions.completed("org-a", "ses-1", 6, START), SessionStatus.COMPLETED);
    List<EventEnvelope> late = TestSessions.completed("org-a", "ses-2", 8, START.plusSeconds(3600));
    archives.archive(late.subList(0, 5), SessionStatus.IDLE);
    archives.archive(late.subList(5, 8), SessionStatus.COMPLETED);
    archives.archive(
        TestSessions.open("org-a", "ses-3", 3, START.plusSeconds(86_400)), SessionStatus.IDLE);
    archives.archive(TestSessions.completed("org-b", "ses-1", 4, START), SessionStatus.COMPLETED);
    archives.archive(TestSessions.completed("org-b", "ses-b", 4, START), SessionStatus.COMPLETED);
    archives.archive(
        TestSessions.completed("org-t", "ses-tampered", 4, START), SessionStatus.COMPLETED);
    ReplayFolder tampered = ReplayFolder.of(new SessionRef("org-t", "ses-tampered"), START);
    s3.put(
        BUCKET,
        tampered.replayKey(),
        new ReplayCodec(JSON).gzipLines(List.of("{\"forged\":true}".getBytes(UTF_8))));
    List<String> args = new ArrayList<>(s3.archiverArguments(BUCKET));
    args.addAll(
        List.of(
            "--server.port=0",
            "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
            "--agentfeed.topics.partitions=1",
            TestSecurity.secretArgument(),
            "--agentfeed.archiver.group-id=replay-api-test",
            "--agentfeed.archiver.cors.allowed-origins=" + DASHBOARD));
    archiver = ArchiverApplication.application().run(args.toArray(String[]::new));
    base = "http://localhost:" + archiver.getEnvironment().getProperty("local.server.port");
  }

  @AfterAll
  static void stop() {
    archiver.close();
    s3.close();
    broker.destroy();
  }

  private static String token(String org, Scope scope) {
    return TOKENS.mint(org, List.of(scope), null, Duration.ofMinutes(5));
  }

  private static HttpResponse<String> get(String path, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return send(request);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("archiver did not answer", e);
    }
  }

  private static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  private static List<String> sessions(HttpResponse<String> response) {
    List<String> ids = new ArrayList<>();
    json(response).get("replays").forEach(r -> ids.add(r.get("sessionId").asString()));
    return ids;
  }

  @Test
  void shouldListTheCallersOrgReplaysWithTheirManifestSummary() {
    HttpResponse<String> response = get("/v1/replays", token("org-a", Scope.AUDIT));

    ReplayFolder folder = ReplayFolder.of(new SessionRef("org-a", "ses-2"), START);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(sessions(response)).isEqualTo(List.of("ses-1", "ses-2", "ses-3"));
    assertThat(json(response).get("replays").get(1))
        .isEqualTo(
            JSON.readTree(
                "{\"sessionId\":\"ses-2\",\"date\":\"2026-01-30\",\"manifestKey\":\""
                    + folder.manifestKey()
                    + "\",\"manifestVersion\":2,\"status\":\"completed\",\"eventCount\":8,"
                    + "\"firstSeq\":1,\"lastSeq\":8,\"firstTs\":\"2026-01-30T13:00:00Z\","
                    + "\"lastTs\":\"2026-01-30T13:00:07Z\",\"objects\":2}"));
  }

  @Test
  void shouldListOnlyTheDaysAsked() {
    HttpResponse<String> response =
        get("/v1/replays?from=2026-01-31&to=2026-01-31", token("org-a", Scope.AUDIT));

    assertThat(sessions(response)).isEqualTo(List.of("ses-3"));
  }

  @Test
  void shouldSayWhenMoreSessionsMatchThanTheLimit() {
    JsonNode listing = json(get("/v1/replays?limit=2", token("org-a", Scope.AUDIT)));

    assertThat(List.of(listing.get("truncated").asBoolean(), listing.get("replays").size()))
        .isEqualTo(List.of(true, 2));
  }

  @Test
  void shouldRejectALimitThatIsNotANumberWith400() {
    HttpResponse<String> response = get("/v1/replays?limit=all", token("org-a", Scope.AUDIT));

    assertThat(List.of(response.statusCode(), json(response).get("detail").asString()))
        .isEqualTo(List.of(400, "'limit' is 'all'; expected a whole number"));
  }

  @Test
  void shouldNeverListAnotherOrgsReplays() {
    HttpResponse<String> response = get("/v1/replays", token("org-b", Scope.AUDIT));

    assertThat(List.of(json(response).get("orgId").asString(), sessions(response)))
        .isEqualTo(List.of("org-b", List.of("ses-1", "ses-b")));
  }

  @Test
  void shouldAnswer404ForAnotherOrgsSession() {
    HttpResponse<String> response = get("/v1/replays/ses-2", token("org-b", Scope.AUDIT));

    assertThat(List.of(response.statusCode(), json(response).get("detail").asString()))
        .isEqualTo(List.of(404, "no archived session 'ses-2' in org 'org-b'"));
  }

  @Test
  void shouldGiveEachOrgItsOwnSessionOfTheSameId() {
    JsonNode a = json(get("/v1/replays/ses-1", token("org-a", Scope.AUDIT)));
    JsonNode b = json(get("/v1/replays/ses-1", token("org-b", Scope.AUDIT)));

    assertThat(
            List.of(
                a.get("manifest").get("orgId").asString(),
                a.get("manifest").get("eventCount").asLong(),
                b.get("manifest").get("orgId").asString(),
                b.get("manifest").get("eventCount").asLong()))
        .isEqualTo(List.of("org-a", 6L, "org-b", 4L));
  }

  @Test
  void shouldHandOutTheManifestWithUrlsThatFetchTheListedBytes() throws Exception {
    HttpResponse<String> response = get("/v1/replays/ses-2", token("org-a", Scope.AUDIT));

    JsonNode detail = json(response);
    List<List<Object>> fetched = new ArrayList<>();
    List<List<Object>> listed = new ArrayList<>();
    for (JsonNode object : detail.get("manifest").get("objects")) {
      listed.add(List.of(object.get("key").asString(), object.get("sha256").asString()));
    }
    for (JsonNode object : detail.get("objects")) {
      HttpResponse<byte[]> body =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(object.get("url").asString())).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      fetched.add(List.of(object.get("key").asString(), ReplayCodec.sha256Hex(body.body())));
    }
    HttpResponse<byte[]> manifest =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(detail.get("manifestUrl").asString())).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(fetched).isEqualTo(listed).hasSize(2);
    assertThat(JSON.readTree(manifest.body())).isEqualTo(detail.get("manifest"));
  }

  @Test
  void shouldRejectARequestWithoutTokenWith401ProblemDetails() {
    HttpResponse<String> response = get("/v1/replays", null);

    assertThat(
            List.of(
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(""),
                json(response).get("status").asInt()))
        .isEqualTo(List.of(401, "application/problem+json", 401));
  }

  @Test
  void shouldRejectATokenWithoutAuditScopeWith403() {
    HttpResponse<String> response = get("/v1/replays", token("org-a", Scope.READ));

    assertThat(List.of(response.statusCode(), json(response).get("status").asInt()))
        .isEqualTo(List.of(403, 403));
  }

  @Test
  void shouldRejectADateThatIsNotADateWith400() {
    HttpResponse<String> response = get("/v1/replays?from=yesterday", token("org-a", Scope.AUDIT));

    assertThat(List.of(response.statusCode(), json(response).get("detail").asString()))
        .isEqualTo(List.of(400, "'from' is 'yesterday'; expected a date as YYYY-MM-DD"));
  }

  @Test
  void shouldRejectAnEndBeforeTheStartWith400() {
    HttpResponse<String> response =
        get("/v1/replays?from=2026-02-01&to=2026-01-01", token("org-a", Scope.AUDIT));

    assertThat(List.of(response.statusCode(), json(response).get("detail").asString()))
        .isEqualTo(List.of(400, "'to' (2026-01-01) is before 'from' (2026-02-01)"));
  }

  @Test
  void shouldKeepHealthOpen() {
    assertThat(get("/actuator/health", null).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldStreamTheEventsOfReplayAndLateSegmentAsNdjsonInSeqOrder() {
    List<EventEnvelope> events =
        TestSessions.completed("org-a", "ses-2", 8, START.plusSeconds(3600));

    HttpResponse<String> response = get("/v1/replays/ses-2/events", token("org-a", Scope.AUDIT));

    assertThat(
            List.of(
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(""),
                response.headers().firstValue("X-Replay-Manifest-Version").orElse(""),
                response.body().lines().toList()))
        .isEqualTo(
            List.of(
                200, "application/x-ndjson", "2", events.stream().map(EVENTS::toJson).toList()));
  }

  @Test
  void shouldAnswer404ForTheEventsOfAnotherOrgsSession() {
    HttpResponse<String> response = get("/v1/replays/ses-2/events", token("org-b", Scope.AUDIT));

    assertThat(List.of(response.statusCode(), json(response).get("detail").asString()))
        .isEqualTo(List.of(404, "no archived session 'ses-2' in org 'org-b'"));
  }

  @Test
  void shouldRefuseToStreamASessionWhoseObjectWasTamperedWith502() {
    HttpResponse<String> response =
        get("/v1/replays/ses-tampered/events", token("org-t", Scope.AUDIT));

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(json(response).get("detail").asString())
        .startsWith("the archived session does not match its manifest, so it is not served: ")
        .contains("CHECKSUM MISMATCH");
  }

  @Test
  void shouldAnswerACorsPreflightFromTheConfiguredOrigin() {
    HttpResponse<String> response = preflight(DASHBOARD);

    assertThat(
            List.of(
                response.statusCode(),
                response.headers().firstValue("Access-Control-Allow-Origin").orElse(""),
                response.headers().firstValue("Access-Control-Allow-Methods").orElse("")))
        .isEqualTo(List.of(200, DASHBOARD, "GET,HEAD,OPTIONS"));
  }

  @Test
  void shouldRefuseACorsPreflightFromAnotherOrigin() {
    HttpResponse<String> response = preflight("https://evil.example");

    assertThat(
            List.of(
                response.statusCode(),
                response.headers().firstValue("Access-Control-Allow-Origin").isPresent()))
        .isEqualTo(List.of(403, false));
  }

  @Test
  void shouldLetTheConfiguredOriginReadTheEvents() {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(base + "/v1/replays/ses-1/events"))
                .header("Origin", DASHBOARD)
                .header("Authorization", "Bearer " + token("org-a", Scope.AUDIT)));

    assertThat(
            List.of(
                response.statusCode(),
                response.headers().firstValue("Access-Control-Allow-Origin").orElse(""),
                response.body().lines().count()))
        .isEqualTo(List.of(200, DASHBOARD, 6L));
  }

  private static HttpResponse<String> preflight(String origin) {
    return send(
        HttpRequest.newBuilder(URI.create(base + "/v1/replays/ses-1/events"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization"));
  }
}
