package dev.agentfeed.ingest.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.ingest.IngestProperties;
import dev.agentfeed.model.SessionRef;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionRateLimiterTest {

  private static final SessionRef A = new SessionRef("acme", "ses-a");
  private static final SessionRef B = new SessionRef("acme", "ses-b");

  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-30T12:00:00Z"));

  private SessionRateLimiter limiter(long perSecond, long burst, int maxSessions) {
    return new SessionRateLimiter(
        new IngestProperties(
            null,
            null,
            null,
            null,
            null,
            null,
            new IngestProperties.RateLimit(perSecond, burst, maxSessions, Duration.ofMinutes(1))),
        clock);
  }

  @Test
  void shouldRefillAtTheConfiguredRate() {
    SessionRateLimiter limiter = limiter(2, 2, 10);
    limiter.acquire(Map.of(A, 2));

    SessionRateLimiter.Decision empty = limiter.acquireOne(A);
    clock.advance(Duration.ofMillis(500));
    SessionRateLimiter.Decision refilled = limiter.acquireOne(A);

    assertThat(List.of(empty, refilled))
        .isEqualTo(List.of(new SessionRateLimiter.Limited(A, 1), new SessionRateLimiter.Allowed()));
  }

  @Test
  void shouldGiveBackTheTokensOfOtherSessionsWhenOneIsLimited() {
    SessionRateLimiter limiter = limiter(1, 3, 10);
    limiter.acquire(Map.of(B, 3));
    Map<SessionRef, Integer> request = new LinkedHashMap<>();
    request.put(A, 3);
    request.put(B, 3);

    SessionRateLimiter.Decision both = limiter.acquire(request);
    SessionRateLimiter.Decision aAlone = limiter.acquire(Map.of(A, 3));

    assertThat(List.of(both, aAlone))
        .isEqualTo(List.of(new SessionRateLimiter.Limited(B, 3), new SessionRateLimiter.Allowed()));
  }

  @Test
  void shouldKeepNoMoreBucketsThanConfigured() {
    SessionRateLimiter limiter = limiter(1, 1, 2);

    for (int i = 0; i < 5; i++) {
      limiter.acquireOne(new SessionRef("acme", "ses-" + i));
    }

    assertThat(limiter.sessions()).isEqualTo(2);
  }

  @Test
  void shouldDropBucketsIdleLongerThanTheExpiry() {
    SessionRateLimiter limiter = limiter(1, 1, 100);
    limiter.acquireOne(A);
    clock.advance(Duration.ofMinutes(2));

    limiter.acquireOne(B);

    assertThat(limiter.sessions()).isEqualTo(1);
  }
}
