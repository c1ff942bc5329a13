package dev.agentfeed.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several clients stop reading at once, each far below its own outbound bound: the gateway still
 * holds no more than its total for all of them (plus what a connection may hold before it counts as
 * behind), cuts them off, and a client that reads goes on. Without the total, each stopped client's
 * outbox grows to its own 16 MB bound and this test fails on the peak.
 */
class OutboundTotalTest {

  private static final Logger log = LoggerFactory.getLogger(OutboundTotalTest.class);

  private static final String ORG = "budget-org";
  private static final String FLOODED = "ses-flooded";
  private static final String READ = "ses-read";
  private static final int STOPPED_CLIENTS = 3;
  private static final long PER_CONNECTION = 16L << 20;
  private static final long TOTAL = 2L << 20;
  private static final int EVENT_BYTES = 20_000;

  @Test
  void shouldHoldNoMoreThanTheTotalForClientsThatStoppedReadingAndKeepServingAReadingOne()
      throws Exception {
    try (TestGateway running =
        TestGateway.start(
            2,
            "--agentfeed.gateway.max-outbound-buffer=" + PER_CONNECTION + "B",
            "--agentfeed.gateway.max-outbound-total=" + TOTAL + "B",
            "--agentfeed.gateway.send-time-limit=60s")) {
      MeterRegistry meters = running.context.getBean(MeterRegistry.class);
      AtomicLong peak = new AtomicLong();
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
      sampler.scheduleAtFixedRate(
          () -> peak.accumulateAndGet(queued(meters), Math::max), 0, 5, TimeUnit.MILLISECONDS);
      try (StreamClient reader = StoppedClients.subscribed(running, ORG, READ);
          StoppedClients stopped = StoppedClients.connect(running, ORG, FLOODED, STOPPED_CLIENTS)) {
        // 30 MB to each stopped client: more than the socket buffers take, and more than its own
        // bound beyond them.
        StoppedClients.flood(running, ORG, FLOODED, 150, EVENT_BYTES);
        await()
            .atMost(StreamClient.WAIT)
            .until(() -> counter(meters, "agentfeed.gateway.resyncs") >= STOPPED_CLIENTS);
        running.feed.send(running.feed.events(ORG, READ, 1, 5));

        await().atMost(StreamClient.WAIT).until(() -> reader.seqs("s1").size() >= 5);
        assertThat(reader.seqs("s1")).isEqualTo(LongStream.rangeClosed(1, 5).boxed().toList());
      } finally {
        sampler.shutdownNow();
        sampler.awaitTermination(5, TimeUnit.SECONDS);
      }
      // Each connection (the stopped ones and the reader) may hold a sixteenth of its bound before
      // it counts as behind, and one frame more; a frame's JSON adds its envelope to the text.
      long frame = EVENT_BYTES + 2_000;
      log.info("Queued for all connections at most {} bytes (total {})", peak.get(), TOTAL);
      assertThat(peak.get())
          .isGreaterThan(PER_CONNECTION / 16)
          .isLessThanOrEqualTo(TOTAL + (STOPPED_CLIENTS + 1) * (PER_CONNECTION / 16 + frame));
      await().atMost(StreamClient.WAIT).until(() -> queued(meters) == 0);
    }
  }

  private static long queued(MeterRegistry meters) {
    return (long) meters.get("agentfeed.gateway.outbound.queued").gauge().value();
  }

  private static double counter(MeterRegistry meters, String name) {
    return meters.get(name).counter().count();
  }
}
