package dev.agentfeed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.model.EventEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code non-blocking-sends}, more clients stop reading than the gateway has sender threads,
 * with a send-time limit far longer than a dashboard may wait: a client that reads must keep
 * getting its frames in time all the same. Frames are written without blocking, so a socket that
 * takes nothing holds no thread. With blocking writes (the default) this test fails: each stopped
 * client holds a sender for the whole limit, and every other client waits behind them.
 */
class StalledClientsTest {

  private static final String ORG = "stalled-org";
  private static final String FLOODED = "ses-flooded";
  private static final String READ = "ses-read";
  private static final int STOPPED_CLIENTS = 3;

  private static TestGateway running;

  @BeforeAll
  static void startGateway() {
    running =
        TestGateway.start(
            2,
            "--agentfeed.gateway.non-blocking-sends=true",
            "--agentfeed.gateway.sender-threads=1",
            "--agentfeed.gateway.send-time-limit=60s");
  }

  @AfterAll
  static void stopGateway() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void shouldDeliverToAReadingClientInTimeWhileMoreClientsThanSenderThreadsStoppedReading() {
    List<StreamClient> stopped = new ArrayList<>();
    try (StreamClient reader = StreamClient.connect(running.stream, running.readToken(ORG))) {
      for (int i = 0; i < STOPPED_CLIENTS; i++) {
        StreamClient client = StreamClient.connect(running.stream, running.readToken(ORG));
        stopped.add(client);
        subscribe(client, FLOODED);
        client.pause();
      }
      subscribe(reader, READ);
      // 16 MB: more than the socket buffers on both sides take.
      for (int burst = 0; burst < 80; burst++) {
        List<EventEnvelope> events = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
          events.add(running.feed.event(ORG, FLOODED, burst * 10L + i, 20_000));
        }
        running.feed.send(events);
      }
      running.feed.send(running.feed.events(ORG, READ, 1, 5));

      // Far below the 60 s a blocked write may take.
      await().atMost(Duration.ofSeconds(5)).until(() -> reader.seqs("s1").size() >= 5);
      assertThat(reader.seqs("s1")).isEqualTo(LongStream.rangeClosed(1, 5).boxed().toList());
    } finally {
      stopped.forEach(StreamClient::close);
    }
  }

  private static void subscribe(StreamClient client, String session) {
    client.send(
        "{\"op\":\"subscribe\",\"id\":\"s1\",\"sessionId\":\"" + session + "\",\"from\":\"live\"}");
    client.awaitFrame("subscribed", "s1");
  }
}
