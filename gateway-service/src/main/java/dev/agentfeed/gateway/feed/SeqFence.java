package dev.agentfeed.gateway.feed;

import dev.agentfeed.model.SessionRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Drops the events of {@code feed.live} that a reader of one partition has already passed on. The
 * gateway reads {@code read_uncommitted}, so it sees the records of a stream-processor transaction
 * that later aborts; the processor is deterministic and re-runs the aborted transaction from its
 * committed input, re-emitting the same events with the same seqs (possibly cut into batches
 * differently). Per session (orgId, sessionId) the fence remembers the highest seq passed on and
 * lets through only events above it: a batch keeps only its new events, a record with none left is
 * dropped. Events without a seq (0) are passed on as they are: there is nothing to compare.
 *
 * <p>Its decisions depend only on the records it was shown, in offset order, so a fence built from
 * a look-behind before an offset decides as one that has followed the partition for longer, as long
 * as the look-behind reaches back over the aborted transaction. Bounded: it remembers at most
 * {@code maxSessions} sessions and forgets the least recently seen. A forgotten session was last
 * seen more than {@code maxSessions} records ago (a record holds one session), so with {@code
 * maxSessions} at least the look-behind the fence knows everything a look-behind would.
 *
 * <p>Not thread-safe: each reader (the live reader per partition, each replay) has its own.
 */
final class SeqFence {

  private final Map<SessionRef, Highest> highest;

  SeqFence(int maxSessions) {
    // Access order: every record of a session makes it the most recently seen.
    this.highest =
        new LinkedHashMap<>(Math.min(maxSessions, 1024), 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<SessionRef, Highest> eldest) {
            return size() > maxSessions;
          }
        };
  }

  /** Learns that events of the session up to {@code seq} have been passed on, without a record. */
  void observe(SessionRef session, long seq) {
    Highest mark = highest.get(session);
    if (mark == null) {
      highest.put(session, new Highest(seq));
    } else if (seq > mark.seq) {
      mark.seq = seq;
    }
  }

  /** The record with only its events above the session's highest seq; empty when none is left. */
  Optional<FeedRecord> admit(FeedRecord record) {
    Highest mark = highest.get(record.session());
    long fence = mark == null ? 0 : mark.seq;
    List<FeedRecord.Item> fresh = record.eventsAfter(fence);
    if (fresh.isEmpty()) {
      return Optional.empty();
    }
    long last = FeedRecord.maxSeq(fresh);
    if (mark == null) {
      highest.put(record.session(), new Highest(last));
    } else if (last > mark.seq) {
      mark.seq = last;
    }
    return Optional.of(fresh.size() == record.events().size() ? record : record.withEvents(fresh));
  }

  /** Sessions remembered now. */
  int size() {
    return highest.size();
  }

  /** Mutable, so that the common case (a session's next record) allocates nothing. */
  private static final class Highest {
    private long seq;

    Highest(long seq) {
      this.seq = seq;
    }
  }
}
