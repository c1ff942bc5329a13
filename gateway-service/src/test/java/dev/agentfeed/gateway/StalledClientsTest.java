package dev.agentfeed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * More clients stop reading than the gateway has sender threads, with a send-time limit far longer
 * than a dashboard may wait: a client that reads must keep getting its frames in time all the same.
 *
 * <ul>
 *   <li>Blocking writes (the default): each stopped client holds a sender, blocked in its write,
 *       for the whole limit; spare senders take the other clients' writes meanwhile. With {@code
 *       sender-spares} 0 this test fails: the reading client waits behind the blocked senders.
 *   <li>{@code non-blocking-sends}: a socket that takes nothing holds no thread at all.
 * </ul>
 */
class StalledClientsTest {

  private static final String ORG = "stalled-org";
  private static final String FLOODED = "ses-flooded";
  private static final String READ = "ses-read";
  private static final int STOPPED_CLIENTS = 3;

  @ParameterizedTest(name = "non-blocking-sends={0}")
  @ValueSource(booleans = {false, true})
  void shouldDeliverToAReadingClientInTimeWhileMoreClientsThanSenderThreadsStoppedReading(
      boolean nonBlocking) {
    try (TestGateway running =
        TestGateway.start(
            2,
            "--agentfeed.gateway.non-blocking-sends=" + nonBlocking,
            "--agentfeed.gateway.sender-threads=1",
            "--agentfeed.gateway.send-time-limit=60s")) {
      MeterRegistry meters = running.context.getBean(MeterRegistry.class);
      try (StreamClient reader = StoppedClients.subscribed(running, ORG, READ);
          StoppedClients stopped = StoppedClients.connect(running, ORG, FLOODED, STOPPED_CLIENTS)) {
        // 16 MB: more than the socket buffers on both sides take.
        StoppedClients.flood(running, ORG, FLOODED, 80, 20_000);
        if (!nonBlocking) {
          // The one sender thread is blocked in a write to a stopped client (the others may have
          // been closed already, having fallen behind before their sockets filled up).
          await()
              .atMost(StreamClient.WAIT)
              .until(() -> gauge(meters, "agentfeed.gateway.senders.blocked") >= 1);
        }
        running.feed.send(running.feed.events(ORG, READ, 1, 5));

        // Far below the 60 s a blocked write may take.
        await().atMost(Duration.ofSeconds(5)).until(() -> reader.seqs("s1").size() >= 5);
        assertThat(reader.seqs("s1")).isEqualTo(LongStream.rangeClosed(1, 5).boxed().toList());
      }
      // The stopped clients' writes fail once their sockets close: the spares end.
      await()
          .atMost(StreamClient.WAIT)
          .until(
              () ->
                  gauge(meters, "agentfeed.gateway.senders.blocked") == 0
                      && gauge(meters, "agentfeed.gateway.sender.threads") <= 1);
    }
  }

  private static double gauge(MeterRegistry meters, String name) {
    return meters.get(name).gauge().value();
  }
}
