package dev.agentfeed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.gateway.feed.FeedReader;
import dev.agentfeed.testing.KafkaTestBroker;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * Connections that answer nothing are closed after the idle timeout, while a client that answers
 * the gateway's pings (as browsers and the JDK client do by themselves) stays connected however
 * quiet it is.
 */
class IdleConnectionTest {

  private static final String SECRET = "test-only-gateway-jwt-secret-0123456789abcdef";

  private static EmbeddedKafkaBroker broker;
  private static ConfigurableApplicationContext gateway;
  private static URI stream;
  private static String token;

  @BeforeAll
  static void startGateway() {
    broker = KafkaTestBroker.start(2);
    gateway =
        GatewayApplication.application()
            .run(
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                "--agentfeed.security.jwt.secret=" + SECRET,
                "--agentfeed.gateway.heartbeat-interval=200ms",
                "--agentfeed.gateway.idle-timeout=1500ms");
    int port = gateway.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    stream = URI.create("ws://localhost:" + port + "/v1/stream");
    token =
        new TokenMinter(SECRET, Clock.systemUTC())
            .mint("idle-org", List.of(Scope.READ), null, Duration.ofMinutes(5));
    await().atMost(StreamClient.WAIT).until(gateway.getBean(FeedReader.class)::caughtUp);
  }

  @AfterAll
  static void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
    if (broker != null) {
      broker.destroy();
    }
  }

  @Test
  void shouldCloseAConnectionThatAnswersNothingAndKeepOneThatAnswersPings() {
    try (StreamClient answering = StreamClient.connect(stream, token);
        StreamClient silent = StreamClient.connect(stream, token)) {
      // A client that reads nothing answers no ping either.
      silent.pause();
      await().atMost(StreamClient.WAIT).until(() -> openConnections() == 2);

      await().atMost(StreamClient.WAIT).until(() -> openConnections() == 1);
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> answering.closeCode() == null && openConnections() == 1);
      answering.send("{\"op\":\"ping\",\"id\":\"still-there\"}");
      assertThat(answering.awaitFrame("pong", "still-there")).isNotNull();
    }
  }

  private static double openConnections() {
    return gateway
        .getBean(MeterRegistry.class)
        .get("agentfeed.gateway.connections")
        .gauge()
        .value();
  }
}
