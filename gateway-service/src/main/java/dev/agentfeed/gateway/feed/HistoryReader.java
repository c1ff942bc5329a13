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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    this.tailResumeBytes = properties.replayFillBytes();
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
          mayBeTrimmed ? new StartCheck(tp, Map.of(subscriber.sessionId(), lastSeq), end) : null;
      // The session has no record before where its history starts, so nothing to look behind for.
      replay(consumer, tp, feed, subscriber, start, check, newFence());
    } catch (OffsetOutOfRangeException e) {
      throw new HistoryGoneException(tp, -1, -1);
    }
  }

  /** A session of an organisation's history: where it starts and its last seq (0 if unknown). */
  public record SessionStart(String sessionId, Instant firstRecordAt, long lastSeq) {}

  /**
   * Where an organisation's history starts on one partition ({@code offset}), and, when retention
   * may have deleted the start of some of it, the sessions whose first records must be checked
   * ({@code checked}: sessionId to last seq) up to where the partition ended then ({@code end}).
   */
  public record OrgStart(long offset, long end, Map<String, Long> checked) {}

  /**
   * Where an organisation's history starts on each partition that holds sessions of it: at the
   * first record at or after the earliest {@code firstRecordAt} of those sessions (no record of the
   * organisation's is before it). As for one session ({@link #replaySession}), nothing can be
   * missing while the partition's log start offset is 0, or when that first record lies beyond the
   * log start; otherwise every one of the organisation's sessions on the partition is checked on
   * its records during the replay.
   *
   * @param sessions the organisation's sessions per partition, per {@code sessions.stats}
   */
  public Map<Integer, OrgStart> orgStarts(Map<Integer, List<SessionStart>> sessions) {
    Map<TopicPartition, Long> times = new HashMap<>();
    sessions.forEach(
        (partition, starts) ->
            starts.stream()
                .map(SessionStart::firstRecordAt)
                .min(Instant::compareTo)
                .ifPresent(
                    first ->
                        times.put(new TopicPartition(topic, partition), first.toEpochMilli())));
    Map<Integer, OrgStart> result = new HashMap<>();
    if (times.isEmpty()) {
      return result;
    }
    try (Consumer<byte[], byte[]> consumer = consumers.createFeed("offsets", false)) {
      Map<TopicPartition, Long> logStarts = consumer.beginningOffsets(times.keySet());
      Map<TopicPartition, Long> ends = consumer.endOffsets(times.keySet());
      Map<TopicPartition, OffsetAndTimestamp> hits = consumer.offsetsForTimes(times);
      for (TopicPartition tp : times.keySet()) {
        long logStart = logStarts.get(tp);
        long end = ends.get(tp);
        OffsetAndTimestamp hit = hits.get(tp);
        long start = hit != null ? hit.offset() : end;
        boolean mayBeTrimmed = logStart > 0 && (hit != null ? start <= logStart : logStart >= end);
        Map<String, Long> checked = new HashMap<>();
        if (mayBeTrimmed) {
          sessions.get(tp.partition()).forEach(s -> checked.put(s.sessionId(), s.lastSeq()));
        }
        result.put(tp.partition(), new OrgStart(start, end, checked));
      }
    }
    return result;
  }

  /**
   * An organisation's history on one partition from {@code start} ({@link #orgStarts}), then live.
   * No record of the organisation's precedes the start, so there is nothing to look behind for.
   *
   * @throws HistoryGoneException when the start of one of the checked sessions' history is no
   *     longer retained
   */
  public void replayOrg(PartitionFeed feed, FeedSubscriber subscriber, OrgStart start) {
    TopicPartition tp = new TopicPartition(topic, feed.partition());
    try (Consumer<byte[], byte[]> consumer = consumers.createFeed("replay", true)) {
      consumer.assign(List.of(tp));
      StartCheck check =
          start.checked().isEmpty() ? null : new StartCheck(tp, start.checked(), start.end());
      replay(consumer, tp, feed, subscriber, start.offset(), check, newFence());
    } catch (OffsetOutOfRangeException e) {
      throw new HistoryGoneException(tp, start.offset(), -1);
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
   * Checks, on a partition where retention has deleted records, that the history of each replayed
   * session it names is whole: the session's first record has seq 1, or, when none is found up to
   * where the partition ended at the start of the replay, {@code sessions.stats} knows no events of
   * it. The end is taken after the sessions were read from {@code sessions.stats}, so the records
   * that their documents count are before it. If the live reader is still behind that end, records
   * of a session may follow live and the "none found" check is skipped (a first live record is not
   * checked).
   */
  private static final class StartCheck {

    private final TopicPartition tp;
    // The sessions to check and their last seq per sessions.stats (0 when unknown).
    private final Map<String, Long> lastSeqs;
    private final long end;
    private final Set<String> seen = new HashSet<>();

    StartCheck(TopicPartition tp, Map<String, Long> lastSeqs, long end) {
      this.tp = tp;
      this.lastSeqs = lastSeqs;
      this.end = end;
    }

    void first(FeedRecord record) {
      String sessionId = record.session().sessionId();
      if (!lastSeqs.containsKey(sessionId) || !seen.add(sessionId)) {
        return;
      }
      long firstSeq = record.events().get(0).seq();
      if (firstSeq > 1) {
        throw HistoryGoneException.trimmed(
            tp, sessionId, "its oldest retained event has seq " + firstSeq);
      }
    }

    void beforeLive(long replayedUpTo) {
      if (replayedUpTo < end) {
        return;
      }
      lastSeqs.forEach(
          (sessionId, lastSeq) -> {
            if (lastSeq > 0 && !seen.contains(sessionId)) {
              throw HistoryGoneException.trimmed(
                  tp, sessionId, "none of its " + lastSeq + " events is retained");
            }
          });
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
