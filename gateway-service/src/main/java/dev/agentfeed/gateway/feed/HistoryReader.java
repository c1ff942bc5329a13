package dev.agentfeed.gateway.feed;

import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.SessionRef;
import dev.agentfeed.model.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays history: reads one partition of {@code feed.live} (key sessionId) from a start offset
 * with a {@code read_uncommitted} consumer of its own, passes the records the subscriber follows
 * through a {@link SeqFence} of the replay's own, hands what is left to it, and joins it to the
 * live feed without gap or duplicate. The fence starts knowing what was passed on before the start:
 * from the resumed cursor's seq for a session, else from a look-behind of {@code
 * reemission-lookbehind} offsets before the start that is read without delivering; a session's
 * history from its first record needs neither. The seam: the replay reads up to the live reader's
 * position, then under the partition's dispatch lock takes the rest from the tail and registers the
 * subscriber from the live reader's position on ({@link PartitionFeed#registerAfterReplay}). If the
 * live reader has moved so far that the tail no longer reaches back, it reads on and tries again. A
 * resume whose start the in-memory tail still holds never touches the broker.
 */
public final class HistoryReader {

  private static final Logger log = LoggerFactory.getLogger(HistoryReader.class);

  private final FeedConsumers consumers;
  private final String topic;
  private final RecordDecoder decoder;
  private final Duration pollTimeout;
  private final long tailResumeBytes;
  private final int lookbehind;
  private final int fenceSessions;

  public HistoryReader(
      FeedConsumers consumers, Topics topics, EventCodec codec, GatewayProperties properties) {
    this.consumers = consumers;
    this.topic = topics.feedLive();
    this.decoder = new RecordDecoder(codec);
    this.pollTimeout = properties.pollTimeout();
    // Half the outbound buffer, the level up to which a paced replay fills it too.
    this.tailResumeBytes = properties.maxOutboundBuffer().toBytes() / 2;
    this.lookbehind = properties.reemissionLookbehind();
    this.fenceSessions = properties.reemissionFenceSessions();
  }

  /**
   * The history from the oldest retained record of the partition, then live: for a partition added
   * since an org-wide cursor was issued, all of which is new to the client.
   */
  public void replayPartition(PartitionFeed feed, FeedSubscriber subscriber) {
    TopicPartition tp = new TopicPartition(topic, feed.partition());
    try (Consumer<byte[], byte[]> consumer = consumers.createFeed("replay", true)) {
      consumer.assign(List.of(tp));
      // From the oldest retained record: nothing before it to have been passed on.
      replay(
          consumer,
          tp,
          feed,
          subscriber,
          consumer.beginningOffsets(List.of(tp)).get(tp),
          null,
          newFence());
    } catch (OffsetOutOfRangeException e) {
      throw new HistoryGoneException(tp, -1, -1);
    }
  }

  /**
   * One session's history from its first record, then live. {@code firstRecordAt} (from {@code
   * sessions.stats}; null when the session is unknown there) is where it starts: the first record
   * at or after it, or the oldest retained record when it is null.
   *
   * <p>Retention may have deleted the start of the history; the client must then be told, not
   * silently given the rest. Nothing was deleted while the partition's log start offset is 0, nor
   * when the record just before the session's start is still there (the first record at or after
   * {@code firstRecordAt} lies beyond the log start). Otherwise the start is checked on the records
   * themselves: the session's first record must have seq 1, and a session that {@code
   * sessions.stats} says has events must have a record at all.
   *
   * @param lastSeq the session's last seq per {@code sessions.stats}, 0 when unknown
   * @throws HistoryGoneException when the start of the session's history is no longer retained
   */
  public void replaySession(
      PartitionFeed feed, FeedSubscriber subscriber, Instant firstRecordAt, long lastSeq) {
    TopicPartition tp = new TopicPartition(topic, feed.partition());
    try (Consumer<byte[], byte[]> consumer = consumers.createFeed("replay", true)) {
      consumer.assign(List.of(tp));
      long logStart = consumer.beginningOffsets(List.of(tp)).get(tp);
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long start = logStart;
      boolean mayBeTrimmed = logStart > 0;
      if (firstRecordAt != null) {
        OffsetAndTimestamp hit =
            consumer.offsetsForTimes(Map.of(tp, firstRecordAt.toEpochMilli())).get(tp);
        if (hit != null) {
          start = hit.offset();
          mayBeTrimmed &= hit.offset() <= logStart;
        } else {
          // Every retained record is older than the session's start: its records are still to
          // come, unless nothing at all is retained any more.
          start = end;
          mayBeTrimmed &= logStart >= end;
        }
      }
      StartCheck check =
          mayBeTrimmed ? new StartCheck(tp, subscriber.sessionId(), lastSeq, end) : null;
      // The session has no record before where its history starts, so nothing to look behind for.
      replay(consumer, tp, feed, subscriber, start, check, newFence());
    } catch (OffsetOutOfRangeException e) {
      throw new HistoryGoneException(tp, -1, -1);
    }
  }

  /**
   * The history from {@code offset} (the next record after a cursor's position), then live; from
   * memory when the partition's tail still reaches back that far. What was passed on before {@code
   * offset} is learnt from a look-behind.
   *
   * @throws HistoryGoneException when retention has deleted records at or after {@code offset}
   */
  public void replayFrom(PartitionFeed feed, FeedSubscriber subscriber, long offset) {
    replayFrom(feed, subscriber, offset, -1);
  }

  /**
   * As {@link #replayFrom(PartitionFeed, FeedSubscriber, long)}; for one session whose last seq
   * passed on is known ({@code lastSeq} ≥ 0, from its cursor) the fence starts from it and no
   * look-behind is read, so the resume is exact however long ago a re-emitted transaction began.
   */
  public void replayFrom(PartitionFeed feed, FeedSubscriber subscriber, long offset, long lastSeq) {
    if (feed.registerAfterReplay(subscriber, offset, tailResumeBytes)) {
      log.debug(
          "Resumed from memory: topic {} partition {} offset {}", topic, feed.partition(), offset);
      return;
    }
    TopicPartition tp = new TopicPartition(topic, feed.partition());
    try (Consumer<byte[], byte[]> consumer = consumers.createFeed("replay", true)) {
      consumer.assign(List.of(tp));
      long logStart = consumer.beginningOffsets(List.of(tp)).get(tp);
      if (offset < logStart) {
        throw new HistoryGoneException(tp, offset, logStart);
      }
      SeqFence fence = newFence();
      if (lastSeq >= 0 && subscriber.sessionId() != null) {
        fence.observe(new SessionRef(subscriber.orgId(), subscriber.sessionId()), lastSeq);
      } else {
        lookBehind(
            consumer, tp, Math.max(logStart, offset - lookbehind), offset, subscriber, fence);
      }
      replay(consumer, tp, feed, subscriber, offset, null, fence);
    } catch (OffsetOutOfRangeException e) {
      throw new HistoryGoneException(tp, offset, -1);
    }
  }

  private SeqFence newFence() {
    return new SeqFence(fenceSessions);
  }

  /**
   * Reads [from, to) only to teach the fence the highest seq of every followed session there; hands
   * nothing over.
   */
  private void lookBehind(
      Consumer<byte[], byte[]> consumer,
      TopicPartition tp,
      long from,
      long to,
      FeedSubscriber subscriber,
      SeqFence fence) {
    if (from >= to) {
      return;
    }
    // For one session, records of other sessions (key sessionId) need not even be parsed.
    byte[] key =
        subscriber.sessionId() == null
            ? null
            : subscriber.sessionId().getBytes(StandardCharsets.UTF_8);
    consumer.seek(tp, from);
    while (consumer.position(tp) < to && subscriber.active()) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(pollTimeout).records(tp)) {
        if (record.offset() >= to) {
          break;
        }
        if (key != null && !Arrays.equals(key, record.key())) {
          continue;
        }
        decoder
            .peek(record)
            .filter(seen -> follows(subscriber, seen.session()))
            .ifPresent(seen -> fence.observe(seen.session(), seen.maxSeq()));
      }
    }
  }

  private static boolean follows(FeedSubscriber subscriber, SessionRef session) {
    return session.orgId().equals(subscriber.orgId())
        && (subscriber.sessionId() == null || session.sessionId().equals(subscriber.sessionId()));
  }

  /**
   * Where each partition's history starts for the given times: the first offset whose record
   * timestamp is at or after it, or the end of the partition when there is none.
   */
  public Map<Integer, Long> offsetsAt(Map<Integer, Instant> times) {
    Map<TopicPartition, Instant> byPartition = new HashMap<>();
    times.forEach((p, t) -> byPartition.put(new TopicPartition(topic, p), t));
    try (Consumer<byte[], byte[]> consumer = consumers.createFeed("offsets", false)) {
      Map<Integer, Long> result = new HashMap<>();
      offsetsAt(consumer, byPartition).forEach((tp, offset) -> result.put(tp.partition(), offset));
      return result;
    }
  }

  private static Map<TopicPartition, Long> offsetsAt(
      Consumer<byte[], byte[]> consumer, Map<TopicPartition, Instant> times) {
    Map<TopicPartition, Long> query = new HashMap<>();
    times.forEach((tp, t) -> query.put(tp, t.toEpochMilli()));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
    Map<TopicPartition, Long> ends = consumer.endOffsets(times.keySet());
    Map<TopicPartition, Long> result = new HashMap<>();
    for (TopicPartition tp : times.keySet()) {
      OffsetAndTimestamp hit = found.get(tp);
      result.put(tp, hit != null ? hit.offset() : ends.get(tp));
    }
    return result;
  }

  private void replay(
      Consumer<byte[], byte[]> consumer,
      TopicPartition tp,
      PartitionFeed feed,
      FeedSubscriber subscriber,
      long startOffset,
      StartCheck check,
      SeqFence fence) {
    long replayedUpTo = startOffset;
    int rounds = 0;
    while (subscriber.active()) {
      // A replay reads at least to where the live feed starts (before it the live reader only
      // built its fence), and a checked one at least to where the partition ended when it
      // started, even ahead of the live reader (which then skips what the replay delivered), so
      // that the check sees every record of the session that existed then.
      long target = Math.max(feed.livePosition(), check != null ? check.end : 0);
      if (replayedUpTo < target) {
        replayedUpTo = read(consumer, tp, replayedUpTo, target, subscriber, check, fence);
      }
      if (check != null) {
        check.beforeLive(replayedUpTo);
      }
      if (!subscriber.active() || feed.registerAfterReplay(subscriber, replayedUpTo)) {
        break;
      }
      rounds++;
    }
    log.debug(
        "Replayed {} from topic {} partition {} offset {} to {} in {} extra rounds",
        subscriber.sessionId() == null
            ? "organisation " + subscriber.orgId()
            : "session " + subscriber.orgId() + "/" + subscriber.sessionId(),
        topic,
        tp.partition(),
        startOffset,
        replayedUpTo,
        rounds);
  }

  /** Delivers the followed records in [from, target); returns target, or less if cancelled. */
  private long read(
      Consumer<byte[], byte[]> consumer,
      TopicPartition tp,
      long from,
      long target,
      FeedSubscriber subscriber,
      StartCheck check,
      SeqFence fence) {
    consumer.seek(tp, from);
    long next = from;
    while (consumer.position(tp) < target) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(pollTimeout).records(tp)) {
        if (record.offset() >= target) {
          // The live feed delivers it; the replay stops where the live reader was.
          break;
        }
        FeedRecord decoded = decoder.decode(record).orElse(null);
        if (decoded != null && subscriber.follows(decoded)) {
          // The start check looks at the first record as retained, re-emitted events included.
          if (check != null) {
            check.first(decoded);
          }
          decoded = fence.admit(decoded).orElse(null);
        }
        if (decoded != null && subscriber.follows(decoded)) {
          if (!subscriber.awaitRoom()) {
            return record.offset();
          }
          subscriber.onRecord(decoded);
        }
        next = record.offset() + 1;
      }
      if (!subscriber.active()) {
        return next;
      }
    }
    return target;
  }

  /**
   * Checks, on a partition where retention has deleted records, that a replayed session's history
   * is whole: its first record has seq 1, or, when none is found up to where the partition ended at
   * the start of the replay, that {@code sessions.stats} knows no events of it. The end is taken
   * after the session was read from {@code sessions.stats}, so the records that document counts are
   * before it. If the live reader is still behind that end, records of the session may follow live
   * and the "none found" check is skipped (a first live record is not checked).
   */
  private static final class StartCheck {

    private final TopicPartition tp;
    private final String sessionId;
    private final long lastSeq;
    private final long end;
    private boolean seen;

    StartCheck(TopicPartition tp, String sessionId, long lastSeq, long end) {
      this.tp = tp;
      this.sessionId = sessionId;
      this.lastSeq = lastSeq;
      this.end = end;
    }

    void first(FeedRecord record) {
      if (seen) {
        return;
      }
      seen = true;
      long firstSeq = record.events().get(0).seq();
      if (firstSeq > 1) {
        throw HistoryGoneException.trimmed(
            tp, sessionId, "its oldest retained event has seq " + firstSeq);
      }
    }

    void beforeLive(long replayedUpTo) {
      if (!seen && lastSeq > 0 && replayedUpTo >= end) {
        throw HistoryGoneException.trimmed(
            tp, sessionId, "none of its " + lastSeq + " events is retained");
      }
    }
  }

  /** The records a subscription needs are no longer retained: the client must start over. */
  public static final class HistoryGoneException extends RuntimeException {

    private HistoryGoneException(String message) {
      super(message);
    }

    static HistoryGoneException trimmed(TopicPartition tp, String sessionId, String what) {
      return new HistoryGoneException(
          "the start of the history of session "
              + sessionId
              + " is no longer retained in "
              + tp.topic()
              + " (partition "
              + tp.partition()
              + ": "
              + what
              + "); the complete session is in the archive (GET /v1/replays/"
              + sessionId
              + " on the archiver); fetch it from there, then subscribe from \"live\"");
    }

    HistoryGoneException(TopicPartition tp, long offset, long logStart) {
      super(
          "the events after this cursor are no longer retained in "
              + tp.topic()
              + " (partition "
              + tp.partition()
              + (offset >= 0 ? " offset " + offset : "")
              + (logStart >= 0 ? " is before the oldest retained offset " + logStart : "")
              + "); the complete session is in the archive (GET /v1/replays/{sessionId} on the"
              + " archiver); subscribe again from \"live\" or \"beginning\"");
    }
  }
}
