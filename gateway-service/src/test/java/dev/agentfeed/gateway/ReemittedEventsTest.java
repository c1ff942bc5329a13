package dev.agentfeed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.gateway.feed.SessionPartitioner;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.LiveBatch;
import dev.agentfeed.model.LiveRecord;
import dev.agentfeed.model.Topics;
import dev.agentfeed.testing.KafkaTestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import tools.jackson.databind.JsonNode;

/**
 * The gateway reads {@code feed.live} {@code read_uncommitted}, so dashboards get the records of a
 * stream-processor transaction that later aborts; the re-run of that transaction re-emits the same
 * events with the same seqs, cut into records differently. Every test writes each of its sessions'
 * log as that happens: seqs 1..5 committed (tier-1 events), a transaction holding 6 (a tier-1
 * event) and 7..8 (a batch) that aborts after the gateway has read it, then the re-run committing 6
 * (tier-1), 7..9 (a batch mixing passed-on and new events) and 10 (tier-1). Whatever the client
 * does (stay live, resume, move to a restarted gateway, replay from the beginning, use SSE), it
 * gets 1..10 each once, in order.
 */
class ReemittedEventsTest {

  private static final int PARTITIONS = 3;
  private static final AtomicInteger ORGS = new AtomicInteger();

  private static EmbeddedKafkaBroker broker;
  private static FeedProducer events;
  private static TokenMinter tokens;

  private GatewayInstances gateways;
  private ReemittingProcessor processor;
  private String org;

  @BeforeAll
  static void startBroker() {
    broker = KafkaTestBroker.start(PARTITIONS);
    events = new FeedProducer(broker, Topics.withDefaultPrefix().feedLive());
    tokens = new TokenMinter(TestGateway.SECRET, Clock.systemUTC());
  }

  @AfterAll
  static void stopBroker() {
    if (events != null) {
      events.close();
    }
    if (broker != null) {
      broker.destroy();
    }
  }

  @BeforeEach
  void startProcessor() {
    gateways = new GatewayInstances(broker);
    processor = new ReemittingProcessor(broker, Topics.withDefaultPrefix().feedLive());
    org = "reemit-" + ORGS.incrementAndGet();
  }

  @AfterEach
  void stopAll() {
    gateways.close();
    processor.close();
  }

  @Test
  void shouldDeliverEverySeqOnceToALiveClientThoughAnAbortedTransactionWasReadAndReemitted() {
    ConfigurableApplicationContext gateway = gateways.start();
    String session = "ses-live";
    try (StreamClient client = connect(gateway)) {
      receiveThroughTheAbortAndTheReemission(client, session);

      assertThat(client.delivered("s1")).isEqualTo(seqs(session, 1, 10));
    }
  }

  @Test
  void shouldCountTheReemittedEventsItDidNotPassOnAgain() {
    ConfigurableApplicationContext gateway = gateways.start();
    String session = "ses-metric";
    try (StreamClient client = connect(gateway)) {
      receiveThroughTheAbortAndTheReemission(client, session);

      assertThat(
              gateway
                  .getBean(MeterRegistry.class)
                  .get("agentfeed.gateway.reemitted.events")
                  .counter()
                  .count())
          .isEqualTo(3.0);
    }
  }

  @Test
  void shouldResumeAClientThatGotTheAbortedEventsWithExactlyTheNewOnes() {
    ConfigurableApplicationContext gateway = gateways.start();
    String session = "ses-resume";
    String cursor = receiveUpToTheAbortedEight(gateway, session);
    processor.abort();
    processor.commit(reemittedSixToTen(session));

    assertThat(resume(gateway, session, cursor)).isEqualTo(seqs(session, 9, 10));
  }

  @Test
  void shouldResumeWithExactlyTheNewEventsOnAGatewayStartedAfterTheAbortedTransaction() {
    ConfigurableApplicationContext before = gateways.start();
    String session = "ses-restart";
    String cursor = receiveUpToTheAbortedEight(before, session);
    stop(before);
    processor.abort();
    processor.commit(reemittedSixToTen(session));

    assertThat(resume(gateways.start(), session, cursor)).isEqualTo(seqs(session, 9, 10));
  }

  @Test
  void shouldResumeASessionCursorWithoutSeqOnARestartedGatewayByItsLookBehind() throws Exception {
    ConfigurableApplicationContext before = gateways.start();
    String session = "ses-old-cursor";
    String cursor = withoutSeq(receiveUpToTheAbortedEight(before, session), session);
    stop(before);
    processor.abort();
    processor.commit(reemittedSixToTen(session));

    assertThat(resume(gateways.start(), session, cursor)).isEqualTo(seqs(session, 9, 10));
  }

  @Test
  void shouldNotPassOnReemittedEventsOfATransactionThatBeganBeforeTheGatewayStarted() {
    String session = "ses-lookbehind";
    processor.commit(committedOneToFive(session));
    processor.begin(abortedSixToEight(session));
    // Started while the transaction is open: its records are behind the gateway's start, in its
    // look-behind, and the re-run comes live.
    ConfigurableApplicationContext gateway = gateways.start();
    try (StreamClient client = connect(gateway)) {
      subscribe(client, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"live\"");
      processor.abort();
      processor.commit(reemittedSixToTen(session));

      awaitSeq(client, "s1", session, 10);
      assertThat(client.delivered("s1")).isEqualTo(seqs(session, 9, 10));
    }
  }

  @Test
  void shouldResumeAnOrgWideSubscriptionOverTwoPartitionsWithoutDuplicateAfterARestart() {
    List<String> sessions = sessionsOnDistinctPartitions(2);
    ConfigurableApplicationContext before = gateways.start();
    String cursor;
    try (StreamClient client = connect(before)) {
      subscribe(client, "all", "\"orgWide\":true,\"from\":\"live\"");
      List<LiveRecord> committed = new ArrayList<>();
      List<LiveRecord> aborted = new ArrayList<>();
      sessions.forEach(s -> committed.addAll(committedOneToFive(s)));
      sessions.forEach(s -> aborted.addAll(abortedSixToEight(s)));
      processor.commit(committed);
      // One transaction over both partitions, as the processor's spans its tasks' output.
      processor.begin(aborted);
      client.awaitDelivered("all", 16);
      cursor = client.lastCursor("all");
    }
    stop(before);
    processor.abort();
    List<LiveRecord> reemitted = new ArrayList<>();
    sessions.forEach(s -> reemitted.addAll(reemittedSixToTen(s)));
    processor.commit(reemitted);

    ConfigurableApplicationContext after = gateways.start();
    try (StreamClient resumed = connect(after)) {
      subscribe(resumed, "all", "\"orgWide\":true,\"from\":\"" + cursor + "\"");

      sessions.forEach(s -> awaitSeq(resumed, "all", s, 10));
      List<String> delivered = resumed.delivered("all");
      for (String session : sessions) {
        assertThat(delivered.stream().filter(e -> e.startsWith(session + "/")).toList())
            .isEqualTo(seqs(session, 9, 10));
      }
      assertThat(delivered).hasSize(4);
    }
  }

  @Test
  void shouldReplayFromBeginningEverySeqOnceOverAnAbortedAndReemittedTransaction() {
    ConfigurableApplicationContext gateway = gateways.start();
    String session = "ses-beginning";
    processor.commit(committedOneToFive(session));
    processor.begin(abortedSixToEight(session));
    processor.abort();
    processor.commit(reemittedSixToTen(session));

    try (StreamClient client = connect(gateway)) {
      subscribe(client, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"beginning\"");

      awaitSeq(client, "s1", session, 10);
      assertThat(client.delivered("s1")).isEqualTo(seqs(session, 1, 10));
    }
  }

  @Test
  void shouldResumeAnSseStreamWithLastEventIdWithExactlyTheNewEvents() throws Exception {
    ConfigurableApplicationContext gateway = gateways.start();
    String session = "ses-sse";
    URI uri = base(gateway).resolve("/v1/sessions/" + session + "/events");
    String lastEventId;
    try (SseClient client = SseClient.open(uri, token(), null)) {
      processor.commit(committedOneToFive(session));
      processor.begin(abortedSixToEight(session));
      await().atMost(StreamClient.WAIT).until(() -> sseSeqs(client).size() >= 8);
      assertThat(sseSeqs(client)).isEqualTo(LongStream.rangeClosed(1, 8).boxed().toList());
      List<SseClient.Event> all = client.events();
      lastEventId = all.get(all.size() - 1).id();
    }
    processor.abort();
    processor.commit(reemittedSixToTen(session));

    try (SseClient resumed = SseClient.open(uri, token(), lastEventId)) {
      await().atMost(StreamClient.WAIT).until(() -> sseSeqs(resumed).contains(10L));

      assertThat(sseSeqs(resumed)).isEqualTo(List.of(9L, 10L));
    }
  }

  /** 1..5 as tier-1 records, committed. */
  private List<LiveRecord> committedOneToFive(String session) {
    return LongStream.rangeClosed(1, 5).mapToObj(seq -> tier1(session, seq)).toList();
  }

  /** The transaction that will abort: 6 as a tier-1 record, 7..8 as a batch. */
  private List<LiveRecord> abortedSixToEight(String session) {
    return List.of(tier1(session, 6), batch(session, 7, 8));
  }

  /** Its re-run, cut differently: 6 tier-1, 7..9 a batch (7, 8 passed on before), 10 tier-1. */
  private List<LiveRecord> reemittedSixToTen(String session) {
    return List.of(tier1(session, 6), batch(session, 7, 9), tier1(session, 10));
  }

  private LiveRecord tier1(String session, long seq) {
    return events.event(org, session, seq, EventType.FILE_EDITED);
  }

  private LiveRecord batch(String session, long fromSeq, long toSeq) {
    return LiveBatch.of(events.events(org, session, fromSeq, toSeq));
  }

  /** A live client gets 1..8 (6..8 from the transaction still open); returns its last cursor. */
  private String receiveUpToTheAbortedEight(
      ConfigurableApplicationContext gateway, String session) {
    try (StreamClient client = connect(gateway)) {
      subscribe(client, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"live\"");
      processor.commit(committedOneToFive(session));
      processor.begin(abortedSixToEight(session));
      client.awaitDelivered("s1", 8);
      assertThat(client.delivered("s1")).isEqualTo(seqs(session, 1, 8));
      return client.lastCursor("s1");
    }
  }

  /**
   * The same position as a cursor of the previous version ({@code v2}, no seq), as a client that
   * got it before an upgrade holds it: signed here as the gateway signs cursors (HMAC-SHA256 of the
   * body and the scope, 96 bits), since that is what such a client has.
   */
  /**
   * Subscribes {@code client} live to {@code session}; seqs 1..5 commit, 6..8 are read in a
   * transaction that aborts, and its re-run commits 6..10. Returns once seq 10 arrived.
   */
  private void receiveThroughTheAbortAndTheReemission(StreamClient client, String session) {
    subscribe(client, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"live\"");
    processor.commit(committedOneToFive(session));
    processor.begin(abortedSixToEight(session));
    client.awaitDelivered("s1", 8);
    processor.abort();
    processor.commit(reemittedSixToTen(session));
    awaitSeq(client, "s1", session, 10);
  }

  /** What a client that subscribes to {@code session} from {@code cursor} gets, up to seq 10. */
  private List<String> resume(
      ConfigurableApplicationContext gateway, String session, String cursor) {
    try (StreamClient resumed = connect(gateway)) {
      subscribe(resumed, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"" + cursor + "\"");
      awaitSeq(resumed, "s1", session, 10);
      return resumed.delivered("s1");
    }
  }

  private String withoutSeq(String cursor, String session) throws Exception {
    String inside = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
    String body = "v2." + inside.split("\\.")[1];
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(
            GatewayInstances.CURSOR_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((body + "|" + org + "/" + session).getBytes(StandardCharsets.UTF_8));
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    String token = body + "." + base64.encodeToString(Arrays.copyOf(mac.doFinal(), 12));
    return base64.encodeToString(token.getBytes(StandardCharsets.US_ASCII));
  }

  private void stop(ConfigurableApplicationContext gateway) {
    gateways.stop(gateway);
  }

  private static URI base(ConfigurableApplicationContext gateway) {
    return GatewayInstances.base(gateway);
  }

  private String token() {
    return tokens.mint(org, List.of(Scope.READ), null, Duration.ofMinutes(5));
  }

  private StreamClient connect(ConfigurableApplicationContext gateway) {
    return StreamClient.connect(GatewayInstances.stream(gateway), token());
  }

  private static void subscribe(StreamClient client, String id, String fields) {
    client.send("{\"op\":\"subscribe\",\"id\":\"" + id + "\"," + fields + "}");
    client.awaitFrame("subscribed", id);
  }

  /** Waits until the subscription got the session's event {@code seq}, the last one written. */
  private static void awaitSeq(StreamClient client, String sub, String session, long seq) {
    await()
        .atMost(StreamClient.WAIT)
        .until(() -> client.delivered(sub).contains(session + "/" + seq));
  }

  /** The seqs an SSE stream got, in order, from event and batch frames alike. */
  private static List<Long> sseSeqs(SseClient client) {
    List<Long> seqs = new ArrayList<>();
    for (SseClient.Event event : client.events()) {
      JsonNode frame = event.data();
      if (frame.has("event")) {
        seqs.add(frame.get("event").path("seq").asLong());
      } else if (frame.has("events")) {
        frame.get("events").forEach(e -> seqs.add(e.path("seq").asLong()));
      }
    }
    return seqs;
  }

  private static List<String> sessionsOnDistinctPartitions(int count) {
    List<String> sessions = new ArrayList<>();
    List<Integer> used = new ArrayList<>();
    for (int i = 0; sessions.size() < count; i++) {
      String session = "ses-wide-" + i;
      int partition = SessionPartitioner.partitionOf(session, PARTITIONS);
      if (!used.contains(partition)) {
        used.add(partition);
        sessions.add(session);
      }
    }
    return sessions;
  }

  private static List<String> seqs(String session, long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(s -> session + "/" + s).toList();
  }
}
