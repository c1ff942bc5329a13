package dev.agentfeed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Connections that answer nothing are closed after the idle timeout, while a client that answers
 * the gateway's pings (as browsers and the JDK client do by themselves) stays connected however
 * quiet it is.
 */
class IdleConnectionTest {

  private static TestGateway running;
  private static ConfigurableApplicationContext gateway;
  private static URI stream;
  private static String token;

  @BeforeAll
  static void startGateway() {
    running =
        TestGateway.start(
            2,
            "--agentfeed.gateway.heartbeat-interval=200ms",
            "--agentfeed.gateway.idle-timeout=1500ms");
    gateway = running.context;
    stream = running.stream;
    token = running.readToken("idle-org");
  }

  @AfterAll
  static void stopGateway() {
    if (running != null) {
      running.close();
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
