package dev.agentfeed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.gateway.feed.FeedReader;
import dev.agentfeed.gateway.feed.PartitionFeed;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import tools.jackson.databind.JsonNode;

/**
 * The gateway as dashboards use it: the real application on a random port, a real in-process Kafka
 * broker, feed.live written as the stream processor writes it, and a real WebSocket client.
 */
class StreamEndpointTest {

  private static final String ORG_A = "org-a";
  private static final String ORG_B = "org-b";
  private static final AtomicInteger SESSIONS = new AtomicInteger();

  private static TestGateway running;
  private static EmbeddedKafkaBroker broker;
  private static ConfigurableApplicationContext gateway;
  private static FeedProducer feed;
  private static TokenMinter tokens;
  private static URI stream;

  private final EventCodec codec = new EventCodec();

  @BeforeAll
  static void startGateway() {
    running =
        TestGateway.start(
            6,
            "--agentfeed.gateway.heartbeat-interval=300ms",
            "--agentfeed.gateway.send-time-limit=60s",
            // A short tail, so that replays often have to read on before they can join live.
            "--agentfeed.gateway.tail-records=8");
    broker = running.broker;
    gateway = running.context;
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
  void shouldDeliverEventsProducedAfterALiveSubscribeInOrderWithCursorAndEnvelope() {
    String session = newSession();
    try (StreamClient client = connect(ORG_A)) {
      subscribe(client, "s1", session, "live");
      List<EventEnvelope> events = feed.events(ORG_A, session, 1, 5);
      feed.send(events.subList(0, 2));
      feed.send(events.subList(2, 5));

      client.awaitEvents("s1", 5);
      List<JsonNode> frames = client.events("s1");
      assertThat(frames.stream().map(f -> codec.fromTree(f.get("event"))).toList())
          .isEqualTo(events);
      assertThat(frames).allSatisfy(f -> assertThat(f.path("cursor").asString()).isNotBlank());
      assertThat(frames.stream().map(f -> f.path("cursor").asString()).distinct()).hasSize(5);
    }
  }

  @Test
  void shouldNotDeliverEventsThatWereProducedBeforeALiveSubscribe() {
    String session = newSession();
    feed.send(feed.events(ORG_A, session, 1, 3));
    try (StreamClient client = connect(ORG_A)) {
      awaitIndexed(ORG_A, session);
      subscribe(client, "s1", session, "live");
      feed.send(feed.events(ORG_A, session, 4, 5));

      client.awaitEvents("s1", 2);
      assertThat(client.seqs("s1")).containsExactly(4L, 5L);
    }
  }

  @Test
  void shouldReplayHistoryThenFollowLiveWithoutGapOrDuplicateAtTheSeam() {
    String session = newSession();
    String other = newSession();
    for (long seq = 1; seq <= 30; seq += 10) {
      feed.send(feed.events(ORG_A, session, seq, seq + 9));
      feed.send(feed.events(ORG_A, other, seq, seq + 9));
    }
    try (StreamClient client = connect(ORG_A)) {
      client.send(subscribeFrame("s1", session, "beginning"));
      // Live events race the replay: some land before it reaches the live position, some after.
      for (long seq = 31; seq <= 60; seq += 5) {
        feed.send(feed.events(ORG_A, session, seq, seq + 4));
      }
      client.awaitFrame("subscribed", "s1");
      client.awaitEvents("s1", 60);
      feed.send(feed.events(ORG_A, session, 61, 62));
      client.awaitEvents("s1", 62);

      assertThat(client.seqs("s1")).isEqualTo(LongStream.rangeClosed(1, 62).boxed().toList());
    }
  }

  @Test
  void shouldResumeFromACursorWithExactlyTheNextEvents() {
    String session = newSession();
    feed.send(feed.events(ORG_A, session, 1, 10));
    String cursorOfSix;
    try (StreamClient first = connect(ORG_A)) {
      subscribe(first, "s1", session, "beginning");
      first.awaitEvents("s1", 10);
      cursorOfSix = first.events("s1").get(5).path("cursor").asString();
    }
    try (StreamClient resumed = connect(ORG_A)) {
      JsonNode subscribed = subscribe(resumed, "r1", session, cursorOfSix);
      feed.send(feed.events(ORG_A, session, 11, 12));

      resumed.awaitEvents("r1", 6);
      assertThat(subscribed.path("from").asString()).isEqualTo(cursorOfSix);
      assertThat(resumed.seqs("r1")).containsExactly(7L, 8L, 9L, 10L, 11L, 12L);
    }
  }

  @Test
  void shouldAnswerPingWithPongCarryingItsId() {
    try (StreamClient client = connect(ORG_A)) {
      client.send("{\"op\":\"ping\",\"id\":\"p1\"}");

      assertThat(client.awaitFrame("pong", "p1").toString())
          .isEqualTo("{\"op\":\"pong\",\"id\":\"p1\"}");
    }
  }

  @Test
  void shouldAnswerMalformedFramesWithErrorsWhileTheSubscriptionKeepsReceiving() {
    String session = newSession();
    try (StreamClient client = connect(ORG_A)) {
      subscribe(client, "s1", session, "live");
      client.send("{not json");
      client.send("{\"op\":\"dance\",\"id\":\"d1\"}");
      client.send("[1,2]");
      client.send("{\"op\":\"subscribe\",\"id\":\"s2\"}");
      await().atMost(StreamClient.WAIT).until(() -> client.frames("error").size() == 4);
      feed.send(feed.events(ORG_A, session, 1, 3));

      client.awaitEvents("s1", 3);
      assertThat(client.frames("error").stream().map(StreamEndpointTest::codeAndId).toList())
          .containsExactly(
              "bad_request/null", "unknown_op/d1", "bad_request/null", "bad_request/s2");
      assertThat(client.seqs("s1")).containsExactly(1L, 2L, 3L);
      assertThat(client.closeCode()).isNull();
    }
  }

  @Test
  void shouldNeverDeliverAnotherOrganisationsEventsForTheSameSessionId() {
    String session = newSession();
    List<EventEnvelope> history = new ArrayList<>();
    List<EventEnvelope> live = new ArrayList<>();
    for (long seq = 1; seq <= 3; seq++) {
      history.add(feed.event(ORG_A, session, seq, 0));
      history.add(feed.event(ORG_B, session, seq, 0));
      live.add(feed.event(ORG_A, session, seq + 3, 0));
      live.add(feed.event(ORG_B, session, seq + 3, 0));
    }
    feed.send(history);
    try (StreamClient a = connect(ORG_A);
        StreamClient b = connect(ORG_B)) {
      subscribe(a, "s1", session, "beginning");
      subscribe(b, "s1", session, "beginning");
      feed.send(live);

      a.awaitEvents("s1", 6);
      b.awaitEvents("s1", 6);
      feed.send(List.of(feed.event(ORG_A, session, 7, 0)));
      a.awaitEvents("s1", 7);
      assertThat(orgsAndSeqs(a.events("s1")))
          .containsExactly(
              "org-a/1", "org-a/2", "org-a/3", "org-a/4", "org-a/5", "org-a/6", "org-a/7");
      assertThat(orgsAndSeqs(b.events("s1")))
          .containsExactly("org-b/1", "org-b/2", "org-b/3", "org-b/4", "org-b/5", "org-b/6");
    }
  }

  @Test
  void shouldForbidASessionKnownOnlyInAnotherOrganisation() {
    String session = newSession();
    feed.send(feed.events(ORG_B, session, 1, 1));
    try (StreamClient client = connect(ORG_A)) {
      awaitIndexed(ORG_B, session);
      client.send(subscribeFrame("s1", session, "beginning"));

      JsonNode error = client.awaitFrame("error", "s1");
      assertThat(error.path("code").asString()).isEqualTo("forbidden");
      assertThat(error.path("message").asString()).contains("belongs to another organisation");
      assertThat(client.frames("subscribed")).isEmpty();
    }
  }

  @Test
  void shouldForbidASubscribeThatNamesAnotherOrganisation() {
    try (StreamClient client = connect(ORG_A)) {
      client.send(
          "{\"op\":\"subscribe\",\"id\":\"s1\",\"sessionId\":\"ses-x\",\"orgId\":\"org-b\","
              + "\"from\":\"live\"}");

      assertThat(client.awaitFrame("error", "s1").path("code").asString()).isEqualTo("forbidden");
    }
  }

  @Test
  void shouldForbidASessionRestrictedTokenToReadAnotherSession() {
    String token = tokens.mint(ORG_A, List.of(Scope.READ), "ses-mine", Duration.ofMinutes(5));
    try (StreamClient client = StreamClient.connect(stream, token)) {
      client.send(subscribeFrame("s1", "ses-other", "live"));
      client.send(subscribeFrame("s2", "ses-mine", "live"));

      assertThat(client.awaitFrame("error", "s1").path("code").asString()).isEqualTo("forbidden");
      client.awaitFrame("subscribed", "s2");
    }
  }

  @Test
  void shouldRejectTheHandshakeWithoutATokenWith401() {
    assertThatThrownBy(() -> StreamClient.connect(stream, null))
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
  }

  @Test
  void shouldRejectTheHandshakeWithoutTheReadScopeWith403() {
    String ingestOnly = tokens.mint(ORG_A, List.of(Scope.INGEST), null, Duration.ofMinutes(5));
    assertThatThrownBy(() -> StreamClient.connect(stream, ingestOnly))
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(403));
  }

  @Test
  void shouldAcceptTheTokenInTheAccessTokenQueryParameter() {
    URI withToken = URI.create(stream + "?access_token=" + token(ORG_A));
    try (StreamClient client = StreamClient.connect(withToken, null)) {
      client.send("{\"op\":\"ping\",\"id\":\"p1\"}");

      client.awaitFrame("pong", "p1");
    }
  }

  @Test
  void shouldRejectATamperedCursorWithBadRequest() {
    String session = newSession();
    feed.send(feed.events(ORG_A, session, 1, 2));
    try (StreamClient client = connect(ORG_A)) {
      subscribe(client, "s1", session, "beginning");
      client.awaitEvents("s1", 2);
      String cursor = client.events("s1").get(0).path("cursor").asString();
      String inside = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
      // v2.<partition>:<next offset>.<mac>: move the offset on by one, keep the MAC.
      String[] parts = inside.split("\\.");
      String[] position = parts[1].split(":");
      String tampered =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(
                  (parts[0]
                          + "."
                          + position[0]
                          + ":"
                          + (Long.parseLong(position[1]) + 1)
                          + "."
                          + parts[2])
                      .getBytes(StandardCharsets.US_ASCII));

      client.send(subscribeFrame("t1", session, tampered));
      client.send(subscribeFrame("t2", session, "garbage!"));

      assertThat(client.awaitFrame("error", "t1").path("code").asString()).isEqualTo("bad_request");
      assertThat(client.awaitFrame("error", "t2").path("code").asString()).isEqualTo("bad_request");
    }
  }

  @Test
  void shouldRejectACursorOfAnotherSessionWithBadRequest() {
    String session = newSession();
    feed.send(feed.events(ORG_A, session, 1, 1));
    try (StreamClient client = connect(ORG_A)) {
      subscribe(client, "s1", session, "beginning");
      client.awaitEvents("s1", 1);
      String cursor = client.events("s1").get(0).path("cursor").asString();

      client.send(subscribeFrame("s2", newSession(), cursor));

      assertThat(client.awaitFrame("error", "s2").path("code").asString()).isEqualTo("bad_request");
    }
  }

  @Test
  void shouldUnsubscribeAndStopDelivering() {
    String session = newSession();
    try (StreamClient client = connect(ORG_A)) {
      subscribe(client, "s1", session, "live");
      subscribe(client, "s2", session, "live");
      client.send("{\"op\":\"unsubscribe\",\"id\":\"s1\"}");
      client.awaitFrame("unsubscribed", "s1");
      client.send("{\"op\":\"unsubscribe\",\"id\":\"s1\"}");
      feed.send(feed.events(ORG_A, session, 1, 2));

      client.awaitEvents("s2", 2);
      assertThat(client.awaitFrame("error", "s1").path("code").asString())
          .isEqualTo("not_subscribed");
      assertThat(client.events("s1")).isEmpty();
    }
  }

  @Test
  void shouldRejectASecondSubscriptionWithTheSameId() {
    try (StreamClient client = connect(ORG_A)) {
      subscribe(client, "s1", newSession(), "live");
      client.send(subscribeFrame("s1", newSession(), "live"));

      assertThat(client.awaitFrame("error", "s1").path("code").asString())
          .isEqualTo("duplicate_subscription");
    }
  }

  @Test
  void shouldSendHeartbeatsWithTheServerTime() {
    try (StreamClient client = connect(ORG_A)) {
      JsonNode heartbeat = client.awaitFrame(f -> "heartbeat".equals(f.path("op").asString()));

      assertThat(heartbeat.propertyNames()).containsExactlyInAnyOrder("op", "serverTime");
      assertThat(Instant.parse(heartbeat.path("serverTime").asString())).isNotNull();
    }
  }

  @Test
  void shouldTellAClientThatFellBehindToResyncFromItsLastCursorAndCloseIt() {
    String session = newSession();
    MeterRegistry meters = gateway.getBean(MeterRegistry.class);
    double resyncsBefore = meters.get("agentfeed.gateway.resyncs").counter().count();
    try (StreamClient slow = connect(ORG_A)) {
      subscribe(slow, "s1", session, "live");
      slow.pause();
      AtomicInteger seq = new AtomicInteger();
      // Bursts well under the buffer limit, until the socket and then the gateway's buffer for
      // this client are full.
      await()
          .atMost(StreamClient.WAIT)
          .until(
              () -> {
                List<EventEnvelope> batch = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                  batch.add(feed.event(ORG_A, session, seq.incrementAndGet(), 50_000));
                }
                feed.send(batch);
                return meters.get("agentfeed.gateway.resyncs").counter().count() > resyncsBefore;
              });
      slow.resume();

      JsonNode resync = slow.awaitFrame(f -> "resync_required".equals(f.path("code").asString()));
      await().atMost(StreamClient.WAIT).until(() -> slow.closeCode() != null);
      List<JsonNode> received = slow.events("s1");
      assertThat(resync.path("id").asString()).isEqualTo("s1");
      assertThat(resync.path("cursor").asString())
          .isEqualTo(received.get(received.size() - 1).path("cursor").asString());
      assertThat(slow.seqs("s1"))
          .isEqualTo(LongStream.rangeClosed(1, received.size()).boxed().toList());
      assertThat(slow.frames().get(slow.frames().size() - 1)).isEqualTo(resync);
    }
  }

  @Test
  void shouldKeepServingOtherClientsWhileOneIsNotReading() {
    String session = newSession();
    try (StreamClient slow = connect(ORG_A);
        StreamClient fast = connect(ORG_A)) {
      subscribe(slow, "s1", session, "live");
      subscribe(fast, "s1", session, "live");
      slow.pause();
      for (int batch = 0; batch < 5; batch++) {
        List<EventEnvelope> events = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
          events.add(feed.event(ORG_A, session, batch * 10L + i, 20_000));
        }
        feed.send(events);
      }

      fast.awaitEvents("s1", 50);
      assertThat(fast.seqs("s1")).isEqualTo(LongStream.rangeClosed(1, 50).boxed().toList());
    }
  }

  @Test
  void shouldRemoveTheSubscriptionsOfAClosedConnection() {
    FeedReader reader = gateway.getBean(FeedReader.class);
    String session = newSession();
    try (StreamClient client = connect(ORG_A)) {
      subscribe(client, "s1", session, "live");
      subscribe(client, "s2", session, "beginning");
      subscribe(client, "s3", newSession(), "live");
      await().atMost(StreamClient.WAIT).until(() -> registeredSubscriptions(reader) >= 3);
    }

    await().atMost(StreamClient.WAIT).until(() -> registeredSubscriptions(reader) == 0);
  }

  @Test
  void shouldAnswerTheReadinessProbeWithoutAToken() throws Exception {
    URI readiness =
        URI.create(stream.toString().replace("ws:", "http:").replace("/v1/stream", ""))
            .resolve("/actuator/health/readiness");

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"status\":\"UP\"");
  }

  private static int registeredSubscriptions(FeedReader reader) {
    return reader.partitions().stream().mapToInt(PartitionFeed::subscriberCount).sum();
  }

  private static String newSession() {
    return "ses-" + SESSIONS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
  }

  private static String token(String org) {
    return tokens.mint(org, List.of(Scope.READ), null, Duration.ofMinutes(5));
  }

  private static StreamClient connect(String org) {
    return StreamClient.connect(stream, token(org));
  }

  private static String subscribeFrame(String id, String session, String from) {
    return "{\"op\":\"subscribe\",\"id\":\""
        + id
        + "\",\"sessionId\":\""
        + session
        + "\",\"from\":\""
        + from
        + "\"}";
  }

  private static JsonNode subscribe(StreamClient client, String id, String session, String from) {
    client.send(subscribeFrame(id, session, from));
    return client.awaitFrame("subscribed", id);
  }

  /** Waits until the gateway's reader has seen the session, by what a subscriber of it gets. */
  private static void awaitIndexed(String org, String session) {
    try (StreamClient witness = connect(org)) {
      subscribe(witness, "w", session, "beginning");
      witness.awaitEvents("w", 1);
    }
  }

  private static String codeAndId(JsonNode error) {
    return error.path("code").asString()
        + "/"
        + (error.get("id").isNull() ? "null" : error.get("id").asString());
  }

  private static List<String> orgsAndSeqs(List<JsonNode> events) {
    return events.stream()
        .map(
            f ->
                f.path("event").path("orgId").asString()
                    + "/"
                    + f.path("event").path("seq").asLong())
        .toList();
  }
}
