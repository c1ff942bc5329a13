package dev.agentfeed.gateway;

import static org.awaitility.Awaitility.await;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.gateway.feed.FeedReader;
import dev.agentfeed.model.Topics;
import dev.agentfeed.testing.KafkaTestBroker;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * An embedded broker and one gateway on it, started once for a test class and closed after it: what
 * the WebSocket tests share. The gateway has followed {@code feed.live} to its end when {@link
 * #start} returns, so a test's first event is not missed.
 */
final class TestGateway implements AutoCloseable {

  static final String SECRET = "test-only-gateway-jwt-secret-0123456789abcdef";

  final EmbeddedKafkaBroker broker;
  final ConfigurableApplicationContext context;
  final URI base;
  final URI stream;
  final TokenMinter tokens = new TokenMinter(SECRET, Clock.systemUTC());
  final FeedProducer feed;

  private TestGateway(EmbeddedKafkaBroker broker, ConfigurableApplicationContext context) {
    this.broker = broker;
    this.context = context;
    int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    this.base = URI.create("http://localhost:" + port);
    this.stream = URI.create("ws://localhost:" + port + "/v1/stream");
    this.feed = new FeedProducer(broker, Topics.withDefaultPrefix().feedLive());
  }

  /**
   * A broker with {@code partitions} per topic and a gateway on it with the test secret and {@code
   * settings} (command-line arguments such as {@code --agentfeed.gateway.tail-records=8}).
   */
  static TestGateway start(int partitions, String... settings) {
    EmbeddedKafkaBroker broker = KafkaTestBroker.start(partitions);
    List<String> args = new ArrayList<>();
    args.add("--server.port=0");
    args.add("--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString());
    args.add("--agentfeed.security.jwt.secret=" + SECRET);
    args.addAll(List.of(settings));
    TestGateway gateway =
        new TestGateway(broker, GatewayApplication.application().run(args.toArray(String[]::new)));
    await().atMost(StreamClient.WAIT).until(gateway.context.getBean(FeedReader.class)::caughtUp);
    return gateway;
  }

  /** A token of {@code org} with scope {@code read}, valid for five minutes. */
  String readToken(String org) {
    return tokens.mint(org, List.of(Scope.READ), null, Duration.ofMinutes(5));
  }

  @Override
  public void close() {
    feed.close();
    context.close();
    broker.destroy();
  }
}
