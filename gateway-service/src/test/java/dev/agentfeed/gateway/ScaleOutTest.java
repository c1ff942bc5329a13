package dev.agentfeed.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.model.Topics;
import dev.agentfeed.testing.KafkaTestBroker;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * Gateways side by side and one after another against one broker: a cursor issued by one instance
 * resumes on another, and on an instance started after the one that issued it stopped, without gap
 * or duplicate. The instances share nothing but Kafka and the cursor key (here derived from the
 * shared JWT secret; {@code agentfeed.gateway.cursor-secret} with a JWKS).
 */
class ScaleOutTest {

  private static final String ORG = "scale";

  private static EmbeddedKafkaBroker broker;
  private static GatewayInstances gateways;
  private static FeedProducer feed;
  private static TokenMinter tokens;

  @BeforeAll
  static void startBroker() {
    broker = KafkaTestBroker.start(4);
    gateways = new GatewayInstances(broker);
    feed = new FeedProducer(broker, Topics.withDefaultPrefix().feedLive());
    tokens = new TokenMinter(TestGateway.SECRET, Clock.systemUTC());
  }

  @AfterEach
  void stopGateways() {
    gateways.close();
  }

  @AfterAll
  static void stopBroker() {
    if (feed != null) {
      feed.close();
    }
    if (broker != null) {
      broker.destroy();
    }
  }

  @Test
  void shouldResumeOnAnotherInstanceWithExactlyTheNextEvents() {
    ConfigurableApplicationContext first = gateways.start();
    ConfigurableApplicationContext second = gateways.start();
    String session = "ses-move-" + System.nanoTime();
    String cursor;
    try (StreamClient client = connect(first)) {
      subscribe(client, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"live\"");
      feed.send(feed.events(ORG, session, 1, 3));
      client.awaitDelivered("s1", 3);
      cursor = client.lastCursor("s1");
    }
    feed.send(feed.events(ORG, session, 4, 5));
    try (StreamClient moved = connect(second)) {
      subscribe(moved, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"" + cursor + "\"");
      feed.send(feed.events(ORG, session, 6, 6));

      moved.awaitDelivered("s1", 3);
      assertThat(moved.delivered("s1")).isEqualTo(seqs(session, 4, 6));
    }
  }

  @Test
  void shouldResumeAnOrgWideSubscriptionOnAnotherInstance() {
    ConfigurableApplicationContext first = gateways.start();
    ConfigurableApplicationContext second = gateways.start();
    String org = "scale-wide-" + System.nanoTime() % 100_000;
    List<String> sessions = List.of("ses-w1", "ses-w2", "ses-w3", "ses-w4", "ses-w5");
    String cursor;
    try (StreamClient client = StreamClient.connect(stream(first), token(org))) {
      subscribe(client, "all", "\"orgWide\":true,\"from\":\"live\"");
      sessions.forEach(s -> feed.send(feed.events(org, s, 1, 1)));
      client.awaitDelivered("all", sessions.size());
      cursor = client.lastCursor("all");
    }
    sessions.forEach(s -> feed.send(feed.events(org, s, 2, 3)));
    try (StreamClient moved = StreamClient.connect(stream(second), token(org))) {
      subscribe(moved, "all", "\"orgWide\":true,\"from\":\"" + cursor + "\"");

      moved.awaitDelivered("all", 2 * sessions.size());
      List<String> expected = new ArrayList<>();
      sessions.forEach(s -> expected.addAll(seqs(s, 2, 3)));
      assertThat(moved.delivered("all")).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void shouldResumeAfterTheGatewayRestartsWithExactlyTheNextEvents() {
    ConfigurableApplicationContext before = gateways.start();
    String session = "ses-restart-" + System.nanoTime();
    String cursor;
    try (StreamClient client = connect(before)) {
      subscribe(client, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"live\"");
      feed.send(feed.events(ORG, session, 1, 4));
      client.awaitDelivered("s1", 4);
      cursor = client.deliveries("s1").get(1).path("cursor").asString();
    }
    gateways.stop(before);
    feed.send(feed.events(ORG, session, 5, 6));

    ConfigurableApplicationContext after = gateways.start();
    try (StreamClient resumed = connect(after)) {
      subscribe(resumed, "s1", "\"sessionId\":\"" + session + "\",\"from\":\"" + cursor + "\"");
      feed.send(feed.events(ORG, session, 7, 7));

      resumed.awaitDelivered("s1", 5);
      assertThat(resumed.delivered("s1")).isEqualTo(seqs(session, 3, 7));
    }
  }

  private static URI stream(ConfigurableApplicationContext gateway) {
    return GatewayInstances.stream(gateway);
  }

  private static String token(String org) {
    return tokens.mint(org, List.of(Scope.READ), null, Duration.ofMinutes(5));
  }

  private static StreamClient connect(ConfigurableApplicationContext gateway) {
    return StreamClient.connect(stream(gateway), token(ORG));
  }

  private static void subscribe(StreamClient client, String id, String fields) {
    client.send("{\"op\":\"subscribe\",\"id\":\"" + id + "\"," + fields + "}");
    client.awaitFrame("subscribed", id);
  }

  private static List<String> seqs(String session, long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(s -> session + "/" + s).toList();
  }
}
