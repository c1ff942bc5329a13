package dev.agentfeed.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How long to wait before attempt {@code n + 1}: exponential backoff with full jitter (a random
 * time between 0 and {@code min(max, initial * 2^n)}), so that many sandboxes refused at once do
 * not come back at once; never less than what the server asked for in {@code Retry-After}.
 */
final class Backoff {

  private final Duration initial;
  private final Duration max;
  private final RandomGenerator random;
  private final Clock clock;

  Backoff(Duration initial, Duration max, RandomGenerator random, Clock clock) {
    this.initial = initial;
    this.max = max;
    this.random = random;
    this.clock = clock;
  }

  /**
   * @param attempt how many attempts failed so far (1 after the first)
   * @param retryAfter the server's {@code Retry-After} header, if any
   */
  Duration delay(int attempt, Optional<String> retryAfter) {
    long ceiling = max.toMillis();
    int shift = Math.min(Math.max(attempt - 1, 0), 30);
    long exponential = Math.min(ceiling, initial.toMillis() << shift);
    Duration jittered = Duration.ofMillis(random.nextLong(exponential + 1));
    Duration asked = retryAfter.flatMap(this::parse).orElse(Duration.ZERO);
    return asked.compareTo(jittered) > 0 ? asked : jittered;
  }

  /** {@code Retry-After} as delta-seconds or an HTTP date (RFC 9110); nothing when unreadable. */
  Optional<Duration> parse(String header) {
    String value = header.strip();
    if (value.matches("\\d{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(clock.instant(), at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
