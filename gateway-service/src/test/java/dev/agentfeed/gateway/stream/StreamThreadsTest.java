package dev.agentfeed.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.gateway.GatewayProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The sender pool grows by a spare per blocked sender, up to {@code sender-spares}, and shrinks.
 */
class StreamThreadsTest {

  private final CountDownLatch release = new CountDownLatch(1);
  private final StreamThreads threads =
      new StreamThreads(
          new Binder(
                  new MapConfigurationPropertySource(
                      Map.of(
                          "agentfeed.gateway.sender-threads", "2",
                          "agentfeed.gateway.sender-spares", "3")))
              .bind("agentfeed.gateway", GatewayProperties.class)
              .get());

  @AfterEach
  void stop() throws InterruptedException {
    release.countDown();
    threads.destroy();
  }

  @Test
  void shouldRunAQueuedWriteOnASpareWhileTheSendersAreBlocked() throws InterruptedException {
    CountDownLatch blocked = new CountDownLatch(2);
    for (int i = 0; i < 2; i++) {
      threads.senders().execute(() -> blockUntilReleased(blocked));
    }
    assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
    CountDownLatch ran = new CountDownLatch(1);
    threads.senders().execute(ran::countDown);
    // Both senders are blocked: the write waits.
    assertThat(ran.await(200, TimeUnit.MILLISECONDS)).isFalse();

    assertThat(threads.spareFor(2)).isEqualTo(2);

    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shouldAllowAtMostTheConfiguredSparesAndEndThemOnceTheWritesEnd() {
    assertThat(threads.spareFor(10)).isEqualTo(3);
    CountDownLatch blocked = new CountDownLatch(5);
    for (int i = 0; i < 6; i++) {
      threads.senders().execute(() -> blockUntilReleased(blocked));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> blocked.getCount() == 0);
    assertThat(threads.senderPoolSize()).isEqualTo(5);

    release.countDown();
    assertThat(threads.spareFor(0)).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> threads.senderPoolSize() <= 2);
  }

  private void blockUntilReleased(CountDownLatch blocked) {
    blocked.countDown();
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
