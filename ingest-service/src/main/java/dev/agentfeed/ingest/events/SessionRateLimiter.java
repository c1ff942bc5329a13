package dev.agentfeed.ingest.events;

import dev.agentfeed.ingest.IngestProperties;
import dev.agentfeed.model.SessionRef;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The per-session rate limit: a Bucket4j token bucket per (org, session) holding {@code burst}
 * tokens and refilled at {@code eventsPerSecond}; every event sent to Kafka takes one token
 * (rejected events and duplicates take none, so a retry of stored events is never limited).
 *
 * <p>Buckets live in a map bounded by {@code maxSessions}, least recently used first out, and a
 * bucket idle for {@code idleExpiry} is dropped when the map next grows. Dropping a bucket can only
 * make the limit more lenient (a session coming back starts full), never stricter. Time comes from
 * the injected {@link Clock}.
 */
@Component
final class SessionRateLimiter {

  /** What a request may do. */
  sealed interface Decision permits Allowed, Limited, OverBurst {}

  /** The tokens are taken. */
  record Allowed() implements Decision {}

  /** Not enough tokens now; this many whole seconds until there are. */
  record Limited(SessionRef session, long retryAfterSeconds) implements Decision {}

  /** More events for one session than the bucket can ever hold: waiting will not help. */
  record OverBurst(SessionRef session, long events, long burst) implements Decision {}

  private static final Allowed ALLOWED = new Allowed();

  private final long eventsPerSecond;
  private final long burst;
  private final long idleExpiryNanos;
  private final TimeMeter time;
  private final Map<SessionRef, Entry> buckets;

  private static final class Entry {
    final Bucket bucket;
    long lastUsedNanos;

    Entry(Bucket bucket, long now) {
      this.bucket = bucket;
      this.lastUsedNanos = now;
    }
  }

  SessionRateLimiter(IngestProperties properties, Clock clock) {
    IngestProperties.RateLimit limit = properties.rateLimit();
    this.eventsPerSecond = limit.eventsPerSecond();
    this.burst = limit.burst();
    this.idleExpiryNanos = limit.idleExpiry().toNanos();
    this.time = new ClockTime(clock);
    int maxSessions = limit.maxSessions();
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<SessionRef, Entry> eldest) {
            return size() > maxSessions
                || time.currentTimeNanos() - eldest.getValue().lastUsedNanos > idleExpiryNanos;
          }
        };
  }

  /**
   * Takes {@code events} tokens from each session's bucket, all or none: when one session has too
   * few, the tokens already taken for the others are given back.
   */
  Decision acquire(Map<SessionRef, Integer> events) {
    Map<Bucket, Integer> taken = new LinkedHashMap<>();
    for (Map.Entry<SessionRef, Integer> session : events.entrySet()) {
      Bucket bucket = bucket(session.getKey());
      Decision decision = take(session.getKey(), bucket, session.getValue());
      if (!(decision instanceof Allowed)) {
        taken.forEach(Bucket::addTokens);
        return decision;
      }
      taken.put(bucket, session.getValue());
    }
    return ALLOWED;
  }

  /** Takes one token from the session's bucket. */
  Decision acquireOne(SessionRef session) {
    return take(session, bucket(session), 1);
  }

  private Decision take(SessionRef session, Bucket bucket, long events) {
    if (events > burst) {
      return new OverBurst(session, events, burst);
    }
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(events);
    if (probe.isConsumed()) {
      return ALLOWED;
    }
    long seconds = Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds();
    // Retry-After counts whole seconds: round up, so that a retry at that time has the tokens.
    boolean fraction = probe.getNanosToWaitForRefill() % 1_000_000_000L != 0;
    return new Limited(session, Math.max(1, seconds + (fraction ? 1 : 0)));
  }

  private Bucket bucket(SessionRef session) {
    long now = time.currentTimeNanos();
    synchronized (buckets) {
      Entry entry = buckets.get(session);
      if (entry == null) {
        entry =
            new Entry(
                Bucket.builder()
                    .addLimit(
                        limit ->
                            limit
                                .capacity(burst)
                                .refillGreedy(eventsPerSecond, Duration.ofSeconds(1)))
                    .withCustomTimePrecision(time)
                    .build(),
                now);
        buckets.put(session, entry);
      }
      entry.lastUsedNanos = now;
      return entry.bucket;
    }
  }

  /** How many sessions have a bucket now. */
  int sessions() {
    synchronized (buckets) {
      return buckets.size();
    }
  }

  /** Bucket4j's time from the injected clock, so that tests control refills. */
  private record ClockTime(Clock clock) implements TimeMeter {

    @Override
    public long currentTimeNanos() {
      java.time.Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public boolean isWallClockBased() {
      return true;
    }
  }
}
