package dev.agentfeed.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.client.ScriptedIngest.Answer;
import dev.agentfeed.model.EventEnvelope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Retries, backoff, splitting and overflow, against a scripted local server. The client's waits are
 * recorded instead of slept, and a clock moved by them stands in for time.
 */
class AgentfeedClientRetryTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long SEED = 42;

  private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
  private final MovingClock clock = new MovingClock();
  private final String session = "ses-retry";

  /** A clock that moves only by the waits the client asks for. */
  private static final class MovingClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-30T12:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private AgentfeedClient.Builder client(ScriptedIngest ingest) {
    return AgentfeedClient.builder(ingest.uri(), "token")
        .random(new Random(SEED))
        .clock(clock)
        .sleeper(
            duration -> {
              waits.add(duration);
              clock.now = clock.now.plus(duration);
            });
  }

  /** Answers with {@code first} for the first {@code times} requests, then accepts. */
  private static java.util.function.Function<String, Answer> first(int times, Answer first) {
    AtomicInteger requests = new AtomicInteger();
    return body -> requests.incrementAndGet() <= times ? first : Answer.accepted(count(body));
  }

  private static int count(String body) {
    return body.split("\"id\"", -1).length - 1;
  }

  @Test
  void shouldWaitAtLeastRetryAfterThenResendTheSameBody() throws Exception {
    try (ScriptedIngest ingest =
            new ScriptedIngest(first(1, Answer.problem(429, "Retry-After", "7")));
        AgentfeedClient client = client(ingest).build()) {
      client.send(TestEvents.log(session, 0));
      assertThat(client.flush(WAIT)).isTrue();

      assertThat(waits).isEqualTo(List.of(Duration.ofSeconds(7)));
      assertThat(ingest.bodies()).hasSize(2).containsOnly(ingest.bodies().get(0));
      assertThat(client.stats()).isEqualTo(new ClientStats(1, 0, 0, 0, 1, 0));
    }
  }

  @Test
  void shouldHonourRetryAfterGivenAsAnHttpDate() throws Exception {
    String inTwoMinutes = "Fri, 30 Jan 2026 12:02:00 GMT";
    try (ScriptedIngest ingest =
            new ScriptedIngest(first(1, Answer.problem(503, "Retry-After", inTwoMinutes)));
        AgentfeedClient client = client(ingest).build()) {
      client.send(TestEvents.log(session, 0));
      client.flush(WAIT);

      assertThat(waits).isEqualTo(List.of(Duration.ofMinutes(2)));
    }
  }

  @Test
  void shouldBackOffExponentiallyWithJitterOn503WithoutRetryAfter() throws Exception {
    Random expected = new Random(SEED);
    List<Duration> ceilings =
        List.of(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
    List<Duration> jittered =
        ceilings.stream().map(c -> Duration.ofMillis(expected.nextLong(c.toMillis() + 1))).toList();

    try (ScriptedIngest ingest = new ScriptedIngest(first(3, Answer.problem(503)));
        AgentfeedClient client = client(ingest).build()) {
      client.send(TestEvents.log(session, 0));
      client.flush(WAIT);

      assertThat(waits).isEqualTo(jittered);
      assertThat(ingest.bodies()).hasSize(4);
    }
  }

  @Test
  void shouldRetryWhenTheConnectionDropsWithoutAnAnswer() throws Exception {
    try (ScriptedIngest ingest = new ScriptedIngest(first(2, null));
        AgentfeedClient client = client(ingest).build()) {
      client.send(TestEvents.log(session, 0));
      client.flush(WAIT);

      assertThat(client.stats()).isEqualTo(new ClientStats(1, 0, 0, 0, 2, 0));
    }
  }

  @Test
  void shouldSplitABatchThatIsTooLargeUntilItFits() throws Exception {
    List<EventEnvelope> events = TestEvents.logs(session, 5);
    try (ScriptedIngest ingest =
            new ScriptedIngest(
                body -> count(body) > 2 ? Answer.problem(413) : Answer.accepted(count(body)));
        AgentfeedClient client = client(ingest).linger(Duration.ofSeconds(5)).build()) {
      events.forEach(client::send);
      client.flush(WAIT);

      assertThat(ingest.bodies().stream().map(AgentfeedClientRetryTest::count).toList())
          .isEqualTo(List.of(5, 2, 3, 1, 2));
      assertThat(client.stats()).isEqualTo(new ClientStats(5, 0, 0, 0, 0, 0));
    }
  }

  @Test
  void shouldFailTheBatchOnAForbiddenAnswerWithoutRetrying() throws Exception {
    Map<String, String> failed = new ConcurrentHashMap<>();
    try (ScriptedIngest ingest = new ScriptedIngest(body -> Answer.problem(403));
        AgentfeedClient client =
            client(ingest)
                .listener(
                    new DeliveryListener() {
                      @Override
                      public void failed(EventEnvelope event, String reason) {
                        failed.put(event.id(), reason);
                      }
                    })
                .build()) {
      client.send(TestEvents.log(session, 0));
      client.flush(WAIT);

      assertThat(failed).isEqualTo(Map.of(TestEvents.log(session, 0).id(), "HTTP 403: scripted"));
      assertThat(waits).isEmpty();
    }
  }

  @Test
  void shouldGiveUpOnABatchOnceRetriesWouldPassTheGiveUpTime() throws Exception {
    try (ScriptedIngest ingest =
            new ScriptedIngest(body -> Answer.problem(503, "Retry-After", "20"));
        AgentfeedClient client = client(ingest).giveUpAfter(Duration.ofMinutes(1)).build()) {
      client.send(TestEvents.log(session, 0));
      client.flush(WAIT);

      // Attempts at 0, 20, 40 and 60 s; a fifth, at 80 s, would be past the minute.
      assertThat(waits).isEqualTo(Collections.nCopies(3, Duration.ofSeconds(20)));
      assertThat(client.stats()).isEqualTo(new ClientStats(0, 0, 0, 1, 3, 0));
    }
  }

  @Test
  void shouldFailFastWhenTheBufferIsFullAndTheOfferTimeoutIsZero() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ScriptedIngest ingest =
            new ScriptedIngest(
                body -> {
                  try {
                    release.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return Answer.accepted(count(body));
                });
        AgentfeedClient client =
            client(ingest)
                .bufferCapacity(2)
                .maxBatchEvents(1)
                .offerTimeout(Duration.ZERO)
                .build()) {
      client.send(TestEvents.log(session, 0));
      await().atMost(WAIT).until(() -> ingest.bodies().size() == 1);
      client.send(TestEvents.log(session, 1));
      client.send(TestEvents.log(session, 2));

      assertThatThrownBy(() -> client.send(TestEvents.log(session, 3)))
          .isInstanceOf(BufferFullException.class)
          .hasMessageContaining("buffer of 2 events stayed full for 0 ms");
      release.countDown();
      assertThat(client.flush(WAIT)).isTrue();
      assertThat(client.stats().accepted()).isEqualTo(3);
    }
  }
}
