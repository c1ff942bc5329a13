package dev.agentfeed.gateway;

import static org.awaitility.Awaitility.await;

import dev.agentfeed.model.EventEnvelope;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading for good, on a gateway with its default settings. Once its socket is
 * full, the write to it blocks a sender thread; the write must fail after the send-time limit (2 s)
 * and the connection end, so that clients that stop reading never hold the senders (and with them
 * every other client) for Tomcat's own send timeout of 20 s.
 */
class StoppedClientTest {

  private static final String ORG = "stopped-org";
  private static final String SESSION = "ses-stopped";

  private static TestGateway running;

  @BeforeAll
  static void startGateway() {
    running = TestGateway.start(2);
  }

  @AfterAll
  static void stopGateway() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void shouldEndTheConnectionOfAClientThatStoppedReadingWithinTheSendTimeLimit() {
    MeterRegistry meters = running.context.getBean(MeterRegistry.class);
    try (StreamClient stopped = StreamClient.connect(running.stream, running.readToken(ORG))) {
      stopped.send(
          "{\"op\":\"subscribe\",\"id\":\"s1\",\"sessionId\":\""
              + SESSION
              + "\",\"from\":\"live\"}");
      stopped.awaitFrame("subscribed", "s1");
      stopped.pause();
      // 16 MB: more than the socket buffers on both sides and the outbox (1 MiB) take.
      for (int burst = 0; burst < 80; burst++) {
        List<EventEnvelope> events = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
          events.add(running.feed.event(ORG, SESSION, burst * 10L + i, 20_000));
        }
        running.feed.send(events);
      }

      // Well above the 2 s limit, well below the 20 s a blocked write took before.
      await()
          .atMost(Duration.ofSeconds(12))
          .until(() -> meters.get("agentfeed.gateway.connections").gauge().value() == 0);
    }
  }
}
