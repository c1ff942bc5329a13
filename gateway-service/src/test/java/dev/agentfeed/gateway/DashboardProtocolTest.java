package dev.agentfeed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.gateway.feed.SessionPartitioner;
import dev.agentfeed.model.DetailRef;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dashboard protocol beyond the basics, against the real application, a real in-process broker
 * and real WebSocket and SSE clients: batches and detail references, type filters, org-wide
 * subscriptions, resume from memory and from the broker, history from {@code sessions.stats},
 * retention, the HTTP endpoints, SSE, token expiry, the dashboard page and metrics.
 */
class DashboardProtocolTest {

  private static final Logger log = LoggerFactory.getLogger(DashboardProtocolTest.class);
  private static final String ORG_A = "proto-a";
  private static final String ORG_B = "proto-b";
  private static final int PARTITIONS = 6;
  private static final AtomicInteger SESSIONS = new AtomicInteger();

  private static TestGateway running;
  private static EmbeddedKafkaBroker broker;
  private static ConfigurableApplicationContext gateway;
  private static FeedProducer feed;
  private static TokenMinter tokens;
  private static URI base;
  private static URI stream;

  private final EventCodec codec = new EventCodec();
  private final JsonMapper json = codec.mapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startGateway() {
    running =
        TestGateway.start(
            PARTITIONS,
            "--agentfeed.gateway.heartbeat-interval=300ms",
            // A short tail, so that a resume from an older cursor has to read the broker.
            "--agentfeed.gateway.tail-records=8");
    broker = running.broker;
    gateway = running.context;
    base = running.base;
    stream = running.stream;
    feed = running.feed;
    tokens = running.tokens;
  }

  @AfterAll
  static void stopGateway() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void shouldSendATier2BatchAsOneBatchFrameWithDetailReferencesPassedThrough() {
    String session = newSession();
    try (StreamClient client = connect(ORG_A)) {
      subscribe(client, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"live\"");
      EventEnvelope started = feed.event(ORG_A, session, 1, EventType.TOOL_STARTED);
      ObjectNode data = started.data().deepCopy();
      data.set("input", new DetailRef(started.id(), 1, 48_000).toNode());
      List<EventEnvelope> batch =
          List.of(started.withData(data), feed.event(ORG_A, session, 2, EventType.LOG));
      feed.sendBatch(batch);

      client.awaitDelivered("s1", 2);
      JsonNode frame = client.deliveries("s1").get(0);
      assertThat(frame.path("op").asString()).isEqualTo("batch");
      assertThat(json.readTree(frame.get("events").toString()))
          .isEqualTo(json.readTree(json.writeValueAsString(batch)));
      assertThat(DetailRef.isRef(frame.get("events").get(0).path("data").get("input"))).isTrue();
    }
  }

  @Test
  void shouldFilterTypesWithWildcardsInsideBatchesAndSendNothingForABatchWithNothingLeft() {
    String session = newSession();
    try (StreamClient client = connect(ORG_A)) {
      subscribe(
          client,
          "s1",
          "\"sessionId\":\"" + session + "\",\"from\":\"live\",\"types\":[\"tool.*\"]");
      feed.sendBatch(
          List.of(
              feed.event(ORG_A, session, 1, EventType.LOG),
              feed.event(ORG_A, session, 2, EventType.TOOL_STARTED)));
      feed.sendBatch(List.of(feed.event(ORG_A, session, 3, EventType.LOG)));
      feed.send(List.of(feed.event(ORG_A, session, 4, EventType.FILE_EDITED)));
      feed.send(List.of(feed.event(ORG_A, session, 5, EventType.TOOL_FAILED)));

      client.awaitDelivered("s1", 2);
      assertThat(client.deliveries("s1").stream().map(f -> f.path("op").asString()).toList())
          .containsExactly("batch", "event");
      assertThat(client.delivered("s1")).containsExactly(session + "/2", session + "/5");
    }
  }

  @Test
  void shouldRejectATypePatternThatMatchesNoEventType() {
    try (StreamClient client = connect(ORG_A)) {
      client.send(
          "{\"op\":\"subscribe\",\"id\":\"s1\",\"sessionId\":\"x\",\"types\":[\"tools.*\"]}");

      assertThat(client.awaitFrame("error", "s1").path("code").asString()).isEqualTo("bad_request");
    }
  }

  @Test
  void shouldResumeAFilteredSubscriptionExactlyAfterItsLastFrame() {
    String session = newSession();
    String filter = ",\"types\":[\"file.*\",\"tool.failed\"]";
    String cursor;
    try (StreamClient first = connect(ORG_A)) {
      subscribe(first, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"live\"" + filter);
      feed.send(
          List.of(
              feed.event(ORG_A, session, 1, EventType.FILE_CREATED),
              feed.event(ORG_A, session, 2, EventType.MESSAGE_CHUNK)));
      first.awaitDelivered("s1", 1);
      cursor = first.lastCursor("s1");
    }
    feed.sendBatch(List.of(feed.event(ORG_A, session, 3, EventType.LOG)));
    feed.send(List.of(feed.event(ORG_A, session, 4, EventType.TOOL_FAILED)));
    feed.send(List.of(feed.event(ORG_A, session, 5, EventType.FILE_DELETED)));
    try (StreamClient resumed = connect(ORG_A)) {
      subscribe(
          resumed, "r1", "\"sessionId\":\"" + session + "\",\"from\":\"" + cursor + "\"" + filter);

      resumed.awaitDelivered("r1", 2);
      feed.send(List.of(feed.event(ORG_A, session, 6, EventType.FILE_EDITED)));
      resumed.awaitDelivered("r1", 3);
      assertThat(resumed.delivered("r1"))
          .containsExactly(session + "/4", session + "/5", session + "/6");
    }
  }

  @Test
  void shouldResumeMidSessionAfterAClientDropWithTheEventsPublishedWhileAwayEachOnceInOrder() {
    String session = newSession();
    String cursor;
    try (StreamClient first = connect(ORG_A)) {
      subscribe(first, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"live\"");
      feed.send(feed.events(ORG_A, session, 1, 3));
      first.awaitDelivered("s1", 3);
      cursor = first.lastCursor("s1");
    }
    feed.send(feed.events(ORG_A, session, 4, 5));
    feed.sendBatch(feed.events(ORG_A, session, 6, 7));
    try (StreamClient resumed = connect(ORG_A)) {
      subscribe(resumed, "r1", "\"sessionId\":\"" + session + "\",\"from\":\"" + cursor + "\"");
      feed.send(feed.events(ORG_A, session, 8, 8));

      resumed.awaitDelivered("r1", 5);
      assertThat(resumed.delivered("r1")).isEqualTo(seqs(session, 4, 8));
    }
  }

  @Test
  void shouldResumeFromTheBrokerWhenTheCursorIsOlderThanTheInMemoryTail() {
    String session = newSession();
    String cursor;
    try (StreamClient first = connect(ORG_A)) {
      subscribe(first, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"live\"");
      feed.send(feed.events(ORG_A, session, 1, 2));
      first.awaitDelivered("s1", 2);
      cursor = first.lastCursor("s1");
    }
    // More records than the tail holds (8), each in its own transaction.
    for (long seq = 3; seq <= 22; seq++) {
      feed.send(feed.events(ORG_A, session, seq, seq));
    }
    try (StreamClient resumed = connect(ORG_A)) {
      subscribe(resumed, "r1", "\"sessionId\":\"" + session + "\",\"from\":\"" + cursor + "\"");

      resumed.awaitDelivered("r1", 20);
      assertThat(resumed.delivered("r1")).isEqualTo(seqs(session, 3, 22));
    }
  }

  @Test
  void shouldTellACursorOlderThanRetentionToResyncFromTheArchive() throws Exception {
    String session = newSession();
    String cursor;
    try (StreamClient first = connect(ORG_A)) {
      subscribe(first, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"live\"");
      feed.send(feed.events(ORG_A, session, 1, 2));
      first.awaitDelivered("s1", 2);
      cursor = first.lastCursor("s1");
    }
    for (long seq = 3; seq <= 22; seq++) {
      feed.send(feed.events(ORG_A, session, seq, seq));
    }
    deleteAllRecords(Topics.withDefaultPrefix().feedLive(), partitionOf(session));
    try (StreamClient resumed = connect(ORG_A)) {
      client(resumed, "r1", "\"sessionId\":\"" + session + "\",\"from\":\"" + cursor + "\"");

      JsonNode error = resumed.awaitFrame("error", "r1");
      assertThat(error.path("code").asString()).isEqualTo("resync_required");
      assertThat(error.path("message").asString()).contains("/v1/replays/");
      assertThat(resumed.deliveredEvents("r1")).isEmpty();
    }
  }

  @Test
  void shouldStartFromBeginningAtTheSessionsFirstRecordAtFromSessionsStats() {
    String session = newSession();
    // Later than every record other tests wrote, as the processor's record times only grow; the
    // broker accepts record times up to an hour ahead.
    Instant earlier = Instant.now().plusSeconds(600);
    Instant firstRecordAt = Instant.now().plusSeconds(1200);
    // Records stamped before firstRecordAt are not the session's history as sessions.stats tells
    // it; the processor never writes such records, so skipping them shows where replay starts.
    feed.sendAt(feed.events(ORG_A, session, 1, 2), earlier);
    feed.sendAt(feed.events(ORG_A, session, 3, 5), firstRecordAt);
    publishStats(ORG_A, session, "running", firstRecordAt);
    try (StreamClient client = connect(ORG_A)) {
      client.send(subscribeFrame("s1", "\"sessionId\":\"" + session + "\",\"from\":\"beginning\""));
      feed.send(feed.events(ORG_A, session, 6, 7));

      client.awaitDelivered("s1", 5);
      feed.send(feed.events(ORG_A, session, 8, 8));
      client.awaitDelivered("s1", 6);
      assertThat(client.delivered("s1")).isEqualTo(seqs(session, 3, 8));
    }
  }

  @Test
  void shouldTellABeginningWhoseStartRetentionDeletedToResyncFromTheArchive() throws Exception {
    String session = newSession();
    Instant firstRecordAt = Instant.now();
    feed.sendAt(feed.events(ORG_A, session, 1, 2), firstRecordAt);
    deleteAllRecords(Topics.withDefaultPrefix().feedLive(), partitionOf(session));
    feed.sendAt(feed.events(ORG_A, session, 3, 5), firstRecordAt);
    publishStats(ORG_A, session, "running", firstRecordAt);
    try (StreamClient client = connect(ORG_A)) {
      client(client, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"beginning\"");

      JsonNode error = client.awaitFrame("error", "s1");
      assertThat(error.path("code").asString()).isEqualTo("resync_required");
      assertThat(error.path("message").asString()).contains("/v1/replays/" + session);
      assertThat(client.deliveredEvents("s1")).isEmpty();
    }
  }

  @Test
  void shouldTellABeginningWhoseWholeHistoryRetentionDeletedToResyncFromTheArchive()
      throws Exception {
    String session = newSession();
    Instant firstRecordAt = Instant.now();
    feed.sendAt(feed.events(ORG_A, session, 1, 3), firstRecordAt);
    deleteAllRecords(Topics.withDefaultPrefix().feedLive(), partitionOf(session));
    // The partition goes on with another session, as it would long after this one ended.
    feed.sendAt(feed.events(ORG_A, otherSessionOnPartitionOf(session), 1, 1), firstRecordAt);
    publishStats(ORG_A, session, "completed", firstRecordAt);
    try (StreamClient client = connect(ORG_A)) {
      client(client, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"beginning\"");

      JsonNode error = client.awaitFrame("error", "s1");
      assertThat(error.path("code").asString()).isEqualTo("resync_required");
      assertThat(error.path("message").asString()).contains("/v1/replays/" + session);
    }
  }

  @Test
  void shouldReplayFromBeginningASessionThatStartedAfterRetentionDeletedOlderRecords()
      throws Exception {
    String session = newSession();
    deleteAllRecords(Topics.withDefaultPrefix().feedLive(), partitionOf(session));
    Instant firstRecordAt = Instant.now();
    feed.sendAt(feed.events(ORG_A, session, 1, 3), firstRecordAt);
    publishStats(ORG_A, session, "running", firstRecordAt);
    try (StreamClient client = connect(ORG_A)) {
      subscribe(client, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"beginning\"");

      client.awaitDelivered("s1", 3);
      assertThat(client.delivered("s1")).isEqualTo(seqs(session, 1, 3));
    }
  }

  @Test
  void shouldEndAnSseBeginningWhoseStartRetentionDeletedWithResyncRequired() throws Exception {
    String session = newSession();
    Instant firstRecordAt = Instant.now();
    feed.sendAt(feed.events(ORG_A, session, 1, 2), firstRecordAt);
    deleteAllRecords(Topics.withDefaultPrefix().feedLive(), partitionOf(session));
    feed.sendAt(feed.events(ORG_A, session, 3, 5), firstRecordAt);
    publishStats(ORG_A, session, "running", firstRecordAt);
    URI uri = base.resolve("/v1/sessions/" + session + "/events?from=beginning");
    try (SseClient client = SseClient.open(uri, token(ORG_A), null)) {
      await().atMost(StreamClient.WAIT).until(() -> !client.events("error").isEmpty());

      JsonNode error = client.events("error").get(0).data();
      assertThat(error.path("code").asString()).isEqualTo("resync_required");
      assertThat(error.path("message").asString()).contains("/v1/replays/" + session);
      assertThat(client.seqs()).isEmpty();
    }
  }

  @Test
  void shouldDeliverEverySessionOfTheOrgAcrossPartitionsToAnOrgWideSubscriptionAndNoOtherOrg() {
    List<String> sessions = sessionsOnDistinctPartitions(3);
    try (StreamClient client = connect(ORG_A)) {
      subscribe(client, "all", "\"orgWide\":true,\"from\":\"live\"");
      for (String session : sessions) {
        feed.send(feed.events(ORG_A, session, 1, 2));
        feed.send(feed.events(ORG_B, session, 1, 2));
      }

      client.awaitDelivered("all", 6);
      List<String> expected = new ArrayList<>();
      sessions.forEach(s -> expected.addAll(seqs(s, 1, 2)));
      assertThat(client.delivered("all")).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(client.deliveredEvents("all").stream().map(e -> e.path("orgId").asString()))
          .containsOnly(ORG_A);
    }
  }

  @Test
  void shouldResumeAnOrgWideSubscriptionAcrossPartitionsWithoutGapOrDuplicate() {
    String org = "wide-" + SESSIONS.incrementAndGet();
    List<String> sessions = sessionsOnDistinctPartitions(3);
    String cursor;
    List<String> before;
    try (StreamClient first = connect(org)) {
      subscribe(first, "all", "\"orgWide\":true,\"from\":\"live\"");
      for (String session : sessions) {
        feed.send(feed.events(org, session, 1, 2));
      }
      first.awaitDelivered("all", 6);
      // Cut in the middle: the client "saw" only the frames up to the third.
      List<JsonNode> frames = first.deliveries("all");
      cursor = frames.get(2).path("cursor").asString();
      before = new ArrayList<>();
      for (JsonNode frame : frames.subList(0, 3)) {
        before.add(
            frame.path("event").path("sessionId").asString()
                + "/"
                + frame.path("event").path("seq").asLong());
      }
    }
    for (String session : sessions) {
      feed.send(feed.events(org, session, 3, 4));
    }
    try (StreamClient resumed = connect(org)) {
      subscribe(resumed, "all", "\"orgWide\":true,\"from\":\"" + cursor + "\"");

      resumed.awaitDelivered("all", 9);
      List<String> all = new ArrayList<>(before);
      all.addAll(resumed.delivered("all"));
      List<String> expected = new ArrayList<>();
      sessions.forEach(s -> expected.addAll(seqs(s, 1, 4)));
      assertThat(all).containsExactlyInAnyOrderElementsOf(expected);
      for (String session : sessions) {
        assertThat(all.stream().filter(e -> e.startsWith(session + "/")).toList())
            .isEqualTo(seqs(session, 1, 4));
      }
    }
  }

  @Test
  void shouldReplayTheOrgsHistoryAcrossPartitionsFromBeginningThenGoLive() {
    String org = "begin-" + SESSIONS.incrementAndGet();
    List<String> sessions = sessionsOnDistinctPartitions(2);
    Instant firstRecordAt = Instant.now().minusSeconds(1);
    for (String session : sessions) {
      feed.send(feed.events(org, session, 1, 2));
      publishStats(org, session, "running", firstRecordAt);
    }
    try (StreamClient client = connect(org)) {
      client.send(subscribeFrame("all", "\"orgWide\":true,\"from\":\"beginning\""));
      client.awaitDelivered("all", 4);
      for (String session : sessions) {
        feed.send(feed.events(org, session, 3, 3));
      }

      client.awaitDelivered("all", 6);
      for (String session : sessions) {
        assertThat(client.delivered("all").stream().filter(e -> e.startsWith(session + "/")))
            .isEqualTo(seqs(session, 1, 3));
      }
      assertThat(client.delivered("all")).hasSize(6);
    }
  }

  @Test
  void shouldTellAnOrgWideBeginningWhoseStartRetentionDeletedToResyncFromTheArchive()
      throws Exception {
    String org = "trim-" + SESSIONS.incrementAndGet();
    List<String> sessions = sessionsOnDistinctPartitions(2);
    String whole = sessions.get(0);
    String trimmed = sessions.get(1);
    Instant firstRecordAt = Instant.now();
    feed.sendAt(feed.events(org, whole, 1, 3), firstRecordAt);
    feed.sendAt(feed.events(org, trimmed, 1, 2), firstRecordAt);
    deleteAllRecords(Topics.withDefaultPrefix().feedLive(), partitionOf(trimmed));
    feed.sendAt(feed.events(org, trimmed, 3, 5), firstRecordAt);
    for (String session : sessions) {
      publishStats(org, session, "running", firstRecordAt);
    }
    try (StreamClient client = connect(org)) {
      client(client, "all", "\"orgWide\":true,\"from\":\"beginning\"");

      JsonNode error = client.awaitFrame("error", "all");
      assertThat(error.path("code").asString()).isEqualTo("resync_required");
      assertThat(error.path("message").asString()).contains("/v1/replays/" + trimmed);
      assertThat(client.delivered("all")).noneMatch(e -> e.startsWith(trimmed + "/"));
    }
  }

  @Test
  void shouldReplayAnOrgWideBeginningWhoseSessionStartedAfterRetentionDeletedOlderRecords()
      throws Exception {
    String org = "trim-" + SESSIONS.incrementAndGet();
    String session = newSession();
    deleteAllRecords(Topics.withDefaultPrefix().feedLive(), partitionOf(session));
    Instant firstRecordAt = Instant.now();
    feed.sendAt(feed.events(org, session, 1, 3), firstRecordAt);
    publishStats(org, session, "running", firstRecordAt);
    try (StreamClient client = connect(org)) {
      subscribe(client, "all", "\"orgWide\":true,\"from\":\"beginning\"");
      client.awaitDelivered("all", 3);
      feed.send(feed.events(org, session, 4, 4));

      client.awaitDelivered("all", 4);
      assertThat(client.delivered("all")).isEqualTo(seqs(session, 1, 4));
    }
  }

  @Test
  void shouldForbidAnOrgWideSubscriptionWithASessionRestrictedToken() {
    String token = tokens.mint(ORG_A, List.of(Scope.READ), "ses-only", Duration.ofMinutes(5));
    try (StreamClient client = StreamClient.connect(stream, token)) {
      client.send(subscribeFrame("all", "\"orgWide\":true"));

      assertThat(client.awaitFrame("error", "all").path("code").asString()).isEqualTo("forbidden");
    }
  }

  @Test
  void shouldListTheSessionsOfTheCallersOrganisationByStatus() throws Exception {
    String org = "list-" + SESSIONS.incrementAndGet();
    Instant t = Instant.parse("2026-01-30T12:00:00Z");
    feed.sendStats(org, "ses-running", "running", t, t.plusSeconds(30));
    feed.sendStats(org, "ses-idle", "idle", t, t.plusSeconds(20));
    feed.sendStats(org, "ses-done", "completed", t, t.plusSeconds(10));
    feed.sendStats("other-" + org, "ses-foreign", "running", t, t.plusSeconds(40));
    awaitStats(org, "ses-done");
    awaitStats("other-" + org, "ses-foreign");

    assertThat(sessionIds(get("/v1/sessions?status=active", token(org))))
        .containsExactly("ses-running", "ses-idle");
    assertThat(sessionIds(get("/v1/sessions?status=all", token(org))))
        .containsExactly("ses-running", "ses-idle", "ses-done");
  }

  @Test
  void shouldRejectAnUnknownStatusFilterWith400Problem() throws Exception {
    HttpResponse<String> response = get("/v1/sessions?status=sleeping", token(ORG_A));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void shouldServeTheStatsOfASessionOfTheOrgAnd404ToAnotherOrg() throws Exception {
    String session = newSession();
    Instant t = Instant.parse("2026-01-30T12:00:00Z");
    publishStats(ORG_A, session, "running", t);

    HttpResponse<String> own = get("/v1/sessions/" + session + "/stats", token(ORG_A));
    HttpResponse<String> foreign = get("/v1/sessions/" + session + "/stats", token(ORG_B));

    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(json.readTree(own.body()).path("firstRecordAt").asString()).isEqualTo(t.toString());
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(foreign.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void shouldServeTheFullEnrichedEventOfADetailReferenceToItsOrgOnly() throws Exception {
    String session = newSession();
    Instant firstRecordAt = Instant.now().minusSeconds(1);
    List<EventEnvelope> events = new ArrayList<>();
    for (long seq = 1; seq <= 5; seq++) {
      events.add(feed.event(ORG_A, session, seq, 2_000));
    }
    // Another org's event with the same session id and event id must never be served.
    feed.sendEnriched(List.of(feed.event(ORG_B, session, 3, 10)));
    feed.sendEnriched(events);
    feed.sendStats(ORG_A, session, "running", firstRecordAt, firstRecordAt);
    feed.sendStats(ORG_B, session, "running", firstRecordAt, firstRecordAt);
    awaitStats(ORG_A, session);
    awaitStats(ORG_B, session);
    String path = "/v1/sessions/" + session + "/events/" + events.get(2).id() + "/detail";

    HttpResponse<String> cold = get(path, token(ORG_A));
    HttpResponse<String> warm = get(path, token(ORG_A));
    // Met (and indexed) on the way to the first one.
    HttpResponse<String> earlier =
        get("/v1/sessions/" + session + "/events/" + events.get(0).id() + "/detail", token(ORG_A));
    HttpResponse<String> missing =
        get("/v1/sessions/" + session + "/events/no-such-event/detail", token(ORG_A));
    HttpResponse<String> foreign = get(path, token("proto-c"));

    assertThat(
            List.of(cold, warm, earlier, missing, foreign).stream()
                .map(HttpResponse::statusCode)
                .toList())
        .containsExactly(200, 200, 200, 404, 404);
    assertThat(List.of(cold.body(), warm.body(), earlier.body()))
        .containsExactly(
            codec.toJson(events.get(2)), codec.toJson(events.get(2)), codec.toJson(events.get(0)));
    logLookupTimes();
  }

  /** The lookup times, for the record (a figure, not an assertion). */
  private static void logLookupTimes() {
    MeterRegistry meters = gateway.getBean(MeterRegistry.class);
    for (String path : List.of("scan", "indexed", "cache")) {
      Timer timer = meters.find("agentfeed.gateway.detail.lookup").tag("path", path).timer();
      if (timer != null) {
        log.info(
            "detail lookup by {}: {} lookups, mean {} ms, max {} ms",
            path,
            timer.count(),
            String.format("%.2f", timer.mean(TimeUnit.MILLISECONDS)),
            String.format("%.2f", timer.max(TimeUnit.MILLISECONDS)));
      }
    }
  }

  @Test
  void shouldResumeSseFromLastEventIdWithExactlyTheNextEvents() throws Exception {
    String session = newSession();
    String lastEventId;
    URI uri = base.resolve("/v1/sessions/" + session + "/events?from=live");
    try (SseClient first = SseClient.open(uri, token(ORG_A), null)) {
      assertThat(first.status()).isEqualTo(200);
      await().atMost(StreamClient.WAIT).until(() -> !first.events("subscribed").isEmpty());
      feed.send(feed.events(ORG_A, session, 1, 3));
      first.awaitEvents(3);
      lastEventId = first.events("event").get(1).id();
      assertThat(first.seqs()).containsExactly(1L, 2L, 3L);
    }
    feed.send(feed.events(ORG_A, session, 4, 5));
    try (SseClient resumed = SseClient.open(uri, token(ORG_A), lastEventId)) {
      resumed.awaitEvents(3);
      await().atMost(StreamClient.WAIT).until(() -> !resumed.comments().isEmpty());

      assertThat(resumed.seqs()).containsExactly(3L, 4L, 5L);
    }
  }

  @Test
  void shouldAnswerAnSseSubscribeToAnotherOrgsSessionWith404() throws Exception {
    String session = newSession();
    feed.send(feed.events(ORG_B, session, 1, 1));
    awaitIndexed(ORG_B, session);

    try (SseClient client =
        SseClient.open(base.resolve("/v1/sessions/" + session + "/events"), token(ORG_A), null)) {
      assertThat(client.status()).isEqualTo(404);
    }
  }

  @Test
  void shouldEndEverySubscriptionWithTokenExpiredWhenTheTokenExpiresMidConnection() {
    String token = tokens.mint(ORG_A, List.of(Scope.READ), null, Duration.ofSeconds(2));
    try (StreamClient client = StreamClient.connect(stream, token)) {
      subscribe(client, "s1", "\"sessionId\":\"" + newSession() + "\",\"from\":\"live\"");
      subscribe(client, "s2", "\"orgWide\":true,\"from\":\"live\"");

      await().atMost(StreamClient.WAIT).until(() -> client.closeCode() != null);
      assertThat(
              client.frames("error").stream()
                  .map(f -> f.path("id").asString() + "/" + f.path("code").asString()))
          .containsExactlyInAnyOrder("s1/token_expired", "s2/token_expired");
      assertThat(client.closeCode()).isEqualTo(1008);
    }
  }

  @Test
  void shouldServeTheDashboardPagesWithoutATokenButNotTheApi() throws Exception {
    HttpResponse<String> root = get("/", null);
    HttpResponse<String> session = get("/sessions/ses-1", null);
    HttpResponse<String> api = get("/v1/sessions", null);

    assertThat(List.of(root.statusCode(), session.statusCode(), api.statusCode()))
        .containsExactly(200, 200, 401);
    assertThat(session.body()).isEqualTo(root.body());
  }

  @Test
  void shouldServeThePagesToALinkWithAnExpiredTokenButRejectTheApiWith401() throws Exception {
    String expired = tokens.mint(ORG_A, List.of(Scope.READ), null, Duration.ofMinutes(-5));
    List<Integer> statuses = new ArrayList<>();
    for (String path :
        List.of("/", "/sessions/ses-1", "/replays/ses-1", "/assets/app.js", "/v1/sessions")) {
      statuses.add(get(path + "?access_token=" + expired, null).statusCode());
    }

    assertThat(statuses).containsExactly(200, 200, 200, 200, 401);
  }

  @Test
  void shouldIgnoreAnInvalidTokenInTheHeaderOnThePage() throws Exception {
    HttpResponse<String> root = get("/", "not-a-token");

    assertThat(root.statusCode()).isEqualTo(200);
  }

  @Test
  void shouldListEachSessionWithTheCountersOfItsStats() throws Exception {
    String org = "counters-" + SESSIONS.incrementAndGet();
    ObjectNode stats =
        (ObjectNode)
            json.readTree(
                """
                {"orgId":"%s","sessionId":"ses-1","agentId":"executor","status":"running",
                 "firstTs":"2026-01-30T12:00:00Z","lastTs":"2026-01-30T12:00:13Z",
                 "firstRecordAt":"2026-01-30T12:00:00.121Z","lastSeq":14,"events":14,
                 "tools":{"Bash":{"calls":2,"failures":1},"Read":{"calls":3,"failures":0}},
                 "files":{"a.txt":{"linesAdded":3,"linesRemoved":1},
                          "b.txt":{"linesAdded":5,"linesRemoved":2}},
                 "filesNotListed":4,"phase":"executing",
                 "usage":{"inputTokens":11,"costUsd":0.25}}
                """
                    .formatted(org));
    feed.send(
        Topics.withDefaultPrefix().sessionsStats(),
        org + "/ses-1",
        json.writeValueAsBytes(stats),
        null);
    awaitStats(org, "ses-1");

    JsonNode listed = json.readTree(get("/v1/sessions", token(org)).body()).path("sessions");

    assertThat(listed)
        .isEqualTo(
            json.readTree(
                """
                [{"orgId":"%s","sessionId":"ses-1","agentId":"executor","status":"running",
                  "firstTs":"2026-01-30T12:00:00Z","lastTs":"2026-01-30T12:00:13Z",
                  "firstRecordAt":"2026-01-30T12:00:00.121Z","lastSeq":14,"events":14,
                  "toolCalls":5,"toolFailures":1,"filesChanged":6,"linesAdded":8,
                  "linesRemoved":3,"costUsd":0.25,"phase":"executing"}]
                """
                    .formatted(org)));
  }

  @Test
  void shouldExposeTheStreamMetricsForPrometheus() throws Exception {
    String session = newSession();
    try (StreamClient client = connect(ORG_A)) {
      subscribe(client, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"live\"");
      feed.send(feed.events(ORG_A, session, 1, 1));
      client.awaitDelivered("s1", 1);
    }

    HttpResponse<String> metrics = get("/actuator/prometheus", null);

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains(
            "agentfeed_gateway_connections",
            "agentfeed_gateway_subscriptions",
            "agentfeed_gateway_frames_out_total",
            "agentfeed_gateway_bytes_out_total",
            "agentfeed_gateway_resumes_total",
            "agentfeed_gateway_resyncs_total",
            "agentfeed_gateway_slow_client_closes_total",
            "agentfeed_gateway_e2e_latency_seconds_bucket",
            "agentfeed_gateway_feed_lag_seconds_bucket");
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<String> sessionIds(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    json.readTree(response.body())
        .path("sessions")
        .forEach(s -> ids.add(s.path("sessionId").asString()));
    return ids;
  }

  /**
   * Publishes the session's stats (first and last event at {@code at}) and waits until the gateway
   * serves them.
   */
  private void publishStats(String org, String session, String status, Instant at) {
    feed.sendStats(org, session, status, at, at);
    awaitStats(org, session);
  }

  private void awaitStats(String org, String session) {
    await()
        .atMost(StreamClient.WAIT)
        .until(() -> get("/v1/sessions/" + session + "/stats", token(org)).statusCode() == 200);
  }

  /** Waits until the gateway has seen the session, by what a subscriber of it gets. */
  private static void awaitIndexed(String org, String session) {
    try (StreamClient witness = connect(org)) {
      subscribe(witness, "w", "\"sessionId\":\"" + session + "\",\"from\":\"beginning\"");
      witness.awaitDelivered("w", 1);
    }
  }

  private static void deleteAllRecords(String topic, int partition) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
      TopicPartition tp = new TopicPartition(topic, partition);
      long end =
          admin
              .listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
              .partitionResult(tp)
              .get()
              .offset();
      admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(end))).all().get();
    }
  }

  private static int partitionOf(String session) {
    return SessionPartitioner.partitionOf(session, PARTITIONS);
  }

  private static String otherSessionOnPartitionOf(String session) {
    while (true) {
      String other = newSession();
      if (partitionOf(other) == partitionOf(session)) {
        return other;
      }
    }
  }

  private static List<String> sessionsOnDistinctPartitions(int count) {
    List<String> sessions = new ArrayList<>();
    Set<Integer> partitions = new HashSet<>();
    while (sessions.size() < count) {
      String session = newSession();
      if (partitions.add(partitionOf(session))) {
        sessions.add(session);
      }
    }
    return sessions;
  }

  private static List<String> seqs(String session, long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(s -> session + "/" + s).toList();
  }

  private static String newSession() {
    return "ses-p" + SESSIONS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
  }

  private static String token(String org) {
    return tokens.mint(org, List.of(Scope.READ), null, Duration.ofMinutes(5));
  }

  private static StreamClient connect(String org) {
    return StreamClient.connect(stream, token(org));
  }

  private static String subscribeFrame(String id, String fields) {
    return "{\"op\":\"subscribe\",\"id\":\"" + id + "\"," + fields + "}";
  }

  private static JsonNode subscribe(StreamClient client, String id, String fields) {
    client.send(subscribeFrame(id, fields));
    return client.awaitFrame("subscribed", id);
  }

  private static void client(StreamClient client, String id, String fields) {
    client.send(subscribeFrame(id, fields));
  }
}
