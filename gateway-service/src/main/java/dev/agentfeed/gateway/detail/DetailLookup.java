package dev.agentfeed.gateway.detail;

import dev.agentfeed.gateway.feed.FeedConsumers;
import dev.agentfeed.gateway.feed.SessionPartitioner;
import dev.agentfeed.model.SessionRef;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.DisposableBean;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds one event's full enriched record in {@code events.enriched} (key sessionId): on the
 * partition of the session key (the producers' partitioner), from the session's {@code
 * firstRecordAt} found with {@code offsetsForTimes}, reading forward and keeping the records whose
 * key, org and session are the session's. Every event of the session met on the way goes into a
 * bounded eventId to offset index, and where the scan ended is remembered per session, so a repeat
 * or a later event of the same session is a targeted read of one offset (or a short scan); the
 * bytes of recently served details are kept too, so a repeat reads nothing. Bounded in every way:
 * the index and the scan marks are LRU maps, the byte cache has a byte budget, and at most {@code
 * readers} consumers read at once.
 */
final class DetailLookup implements DisposableBean {

  private final FeedConsumers consumers;
  private final String topic;
  private final JsonMapper mapper;
  private final Duration pollTimeout;
  private final Duration acquireTimeout;
  private final BlockingQueue<Consumer<byte[], byte[]>> idle;
  private final Semaphore permits;
  private final Map<String, Long> offsets;
  private final Map<SessionRef, Long> scannedUpTo;
  private final DetailCache cache;
  private final Timer cached;
  private final Timer indexed;
  private final Timer scanned;
  private volatile int partitions;

  DetailLookup(
      FeedConsumers consumers,
      String topic,
      JsonMapper mapper,
      int readers,
      int indexSize,
      long cacheBytes,
      Duration pollTimeout,
      MeterRegistry meters) {
    this.consumers = consumers;
    this.topic = topic;
    this.mapper = mapper;
    this.pollTimeout = pollTimeout;
    this.acquireTimeout = Duration.ofSeconds(5);
    this.idle = new ArrayBlockingQueue<>(readers);
    this.permits = new Semaphore(readers);
    this.offsets = lru(indexSize);
    this.scannedUpTo = lru(Math.max(16, indexSize / 16));
    this.cache = new DetailCache(cacheBytes);
    this.cached = lookupTimer(meters, "cache");
    this.indexed = lookupTimer(meters, "indexed");
    this.scanned = lookupTimer(meters, "scan");
  }

  /** The outcome of a lookup. */
  sealed interface Result {
    /** The enriched event, as the processor wrote it. */
    record Found(byte[] json) implements Result {}

    /** The session has no such event (yet). */
    record Missing() implements Result {}

    /** Every reader is busy: try again. */
    record Busy() implements Result {}
  }

  /**
   * The event {@code eventId} of the session, looked up from {@code firstRecordAt} (the oldest
   * retained record of the partition when null).
   */
  Result find(SessionRef session, String eventId, Instant firstRecordAt) {
    long started = System.nanoTime();
    byte[] hit = cache.get(key(session, eventId));
    if (hit != null) {
      cached.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      return new Result.Found(hit);
    }
    try {
      if (!permits.tryAcquire(acquireTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return new Result.Busy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result.Busy();
    }
    Consumer<byte[], byte[]> consumer = idle.poll();
    if (consumer == null) {
      // A pooled consumer's last fetch may still wait at the end of the log for fetch.max.wait.ms
      // (500 ms by default) and hold up the next lookup's fetch: keep that wait short.
      consumer =
          consumers.create("detail", false, Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10));
    }
    try {
      Result result = find(consumer, session, eventId, firstRecordAt);
      if (result instanceof Result.Found found) {
        cache.put(key(session, eventId), found.json());
      }
      return result;
    } catch (RuntimeException e) {
      consumer.close();
      consumer = null;
      throw e;
    } finally {
      if (consumer != null && !idle.offer(consumer)) {
        consumer.close();
      }
      permits.release();
    }
  }

  private Result find(
      Consumer<byte[], byte[]> consumer, SessionRef session, String eventId, Instant from) {
    long started = System.nanoTime();
    TopicPartition tp = new TopicPartition(topic, partitionOf(consumer, session.sessionId()));
    consumer.assign(List.of(tp));
    Long known = offset(key(session, eventId));
    if (known != null) {
      Optional<byte[]> hit = readAt(consumer, tp, known, session, eventId);
      if (hit.isPresent()) {
        indexed.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return new Result.Found(hit.get());
      }
    }
    long end = consumer.endOffsets(List.of(tp)).get(tp);
    long start = scanStart(consumer, tp, session, from);
    Optional<byte[]> found = scan(consumer, tp, start, end, session, eventId);
    scanned.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    return found.<Result>map(Result.Found::new).orElseGet(Result.Missing::new);
  }

  private long scanStart(
      Consumer<byte[], byte[]> consumer, TopicPartition tp, SessionRef session, Instant from) {
    Long resume;
    synchronized (scannedUpTo) {
      resume = scannedUpTo.get(session);
    }
    if (resume != null) {
      return resume;
    }
    if (from == null) {
      return consumer.beginningOffsets(List.of(tp)).get(tp);
    }
    OffsetAndTimestamp hit = consumer.offsetsForTimes(Map.of(tp, from.toEpochMilli())).get(tp);
    return hit != null ? hit.offset() : consumer.endOffsets(List.of(tp)).get(tp);
  }

  private Optional<byte[]> readAt(
      Consumer<byte[], byte[]> consumer,
      TopicPartition tp,
      long offset,
      SessionRef session,
      String eventId) {
    consumer.seek(tp, offset);
    long deadline = System.nanoTime() + pollTimeout.toNanos() * 20;
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(pollTimeout).records(tp)) {
        if (record.offset() == offset) {
          return matches(record, session, eventId) ? Optional.of(record.value()) : Optional.empty();
        }
        if (record.offset() > offset) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  private Optional<byte[]> scan(
      Consumer<byte[], byte[]> consumer,
      TopicPartition tp,
      long start,
      long end,
      SessionRef session,
      String eventId) {
    if (start >= end) {
      return Optional.empty();
    }
    consumer.seek(tp, start);
    byte[] found = null;
    long next = start;
    while (found == null && consumer.position(tp) < end) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(pollTimeout).records(tp)) {
        next = record.offset() + 1;
        String id = eventIdOf(record, session);
        if (id != null) {
          synchronized (offsets) {
            offsets.put(key(session, id), record.offset());
          }
          if (id.equals(eventId)) {
            found = record.value();
            break;
          }
        }
      }
    }
    if (found == null) {
      // Everything of the session before the end has been indexed: the next scan starts here.
      long upTo = Math.max(next, consumer.position(tp));
      synchronized (scannedUpTo) {
        scannedUpTo.put(session, upTo);
      }
    }
    return Optional.ofNullable(found);
  }

  private boolean matches(ConsumerRecord<byte[], byte[]> record, SessionRef session, String id) {
    return id.equals(eventIdOf(record, session));
  }

  /** The event id of a record of this (org, session); null for any other record. */
  private String eventIdOf(ConsumerRecord<byte[], byte[]> record, SessionRef session) {
    if (record.key() == null
        || record.value() == null
        || !session.sessionId().equals(new String(record.key(), StandardCharsets.UTF_8))) {
      return null;
    }
    try {
      JsonNode event = mapper.readTree(record.value());
      if (!session.orgId().equals(event.path("orgId").asString(""))
          || !session.sessionId().equals(event.path("sessionId").asString(""))) {
        return null;
      }
      JsonNode id = event.get("id");
      return id != null && id.isString() ? id.stringValue() : null;
    } catch (JacksonException e) {
      return null;
    }
  }

  private int partitionOf(Consumer<byte[], byte[]> consumer, String sessionId) {
    int count = partitions;
    if (count == 0) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      count = infos.size();
      partitions = count;
    }
    return SessionPartitioner.partitionOf(sessionId, count);
  }

  private Long offset(String key) {
    synchronized (offsets) {
      return offsets.get(key);
    }
  }

  private static String key(SessionRef session, String eventId) {
    return session.key() + "/" + eventId;
  }

  private static <K> Map<K, Long> lru(int maxEntries) {
    return new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Long> eldest) {
        return size() > maxEntries;
      }
    };
  }

  private static Timer lookupTimer(MeterRegistry meters, String path) {
    return Timer.builder("agentfeed.gateway.detail.lookup")
        .description("Time to find a detail in events.enriched: by a known offset, or by a scan")
        .tag("path", path)
        .publishPercentileHistogram()
        .register(meters);
  }

  @Override
  public void destroy() {
    Consumer<byte[], byte[]> consumer;
    while ((consumer = idle.poll()) != null) {
      consumer.close();
    }
  }
}
