package dev.agentfeed.gateway.feed;

import dev.agentfeed.model.SessionRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live state of one partition of {@code feed.live}: where the live reader is, the in-memory
 * tail, and the subscribers of the sessions (and organisations) in it. Its monitor is the dispatch
 * lock: the reader appends and dispatches under it, and a replay joins the live feed under it, so
 * that no record is delivered twice or missed at the seam between history and live.
 */
public final class PartitionFeed {

  private final int partition;
  private final FeedTail tail;
  private final Map<SessionRef, List<Registration>> subscribers = new HashMap<>();
  // Org-wide subscribers, by organisation.
  private final Map<String, List<Registration>> orgSubscribers = new HashMap<>();
  // The next offset the live reader will read.
  private long position;
  // Where the log ended when the reader started: a live subscription made while the reader is
  // still catching up must not get the records that were already there.
  private long liveFrom;
  private int subscriberCount;

  PartitionFeed(int partition, int tailRecords, long tailBytes) {
    this.partition = partition;
    this.tail = new FeedTail(partition, tailRecords, tailBytes);
  }

  public int partition() {
    return partition;
  }

  public synchronized long position() {
    return position;
  }

  public synchronized int subscriberCount() {
    return subscriberCount;
  }

  /**
   * The reader starts at {@code offset} and the log ends at {@code logEnd}. What lies between is
   * read only to build the reader's {@link SeqFence} (its look-behind) or is older than the
   * partition's discovery: it is neither held in the tail nor dispatched, so the tail starts at
   * {@code logEnd}.
   */
  synchronized void startAt(long offset, long logEnd) {
    position = offset;
    liveFrom = Math.max(offset, logEnd);
    tail.reset(liveFrom);
  }

  /** Where the live feed starts: records before it are only read to build the reader's fence. */
  synchronized long liveFrom() {
    return liveFrom;
  }

  synchronized boolean caughtUp() {
    return position >= liveFrom;
  }

  /**
   * The live reader hands over what it read from this partition, in offset order, and where it is
   * now (which may be past the last record: transaction markers take offsets too).
   */
  synchronized void append(List<FeedRecord> records, long newPosition) {
    for (FeedRecord record : records) {
      if (record.offset() < liveFrom) {
        continue;
      }
      tail.add(record);
      dispatch(subscribers.get(record.session()), record);
      dispatch(orgSubscribers.get(record.orgId()), record);
      record.forgetCursor();
    }
    position = Math.max(position, newPosition);
  }

  private static void dispatch(List<Registration> registered, FeedRecord record) {
    if (registered != null) {
      for (Registration registration : registered) {
        if (record.offset() >= registration.nextOffset()) {
          registration.subscriber().onRecord(record);
        }
      }
    }
  }

  /** The offset a live subscription made now would start at. */
  public synchronized long livePosition() {
    return Math.max(position, liveFrom);
  }

  synchronized void advanceTo(long newPosition) {
    position = Math.max(position, newPosition);
  }

  /** Subscribes to what the reader reads from now on. */
  public synchronized void registerLive(FeedSubscriber subscriber) {
    if (subscriber.active()) {
      register(subscriber, Math.max(position, liveFrom));
    }
  }

  /**
   * Joins a replay to the live feed. The replay has delivered every record of the session before
   * {@code replayedUpTo}; if the tail still holds everything from there to the reader's position,
   * those records of the session are delivered now and the subscriber gets the rest live.
   *
   * @return false when the tail no longer reaches back that far, or {@code replayedUpTo} is before
   *     where the live feed starts: replay further and try again; true when joined, or when the
   *     subscriber is no longer active
   */
  public synchronized boolean registerAfterReplay(FeedSubscriber subscriber, long replayedUpTo) {
    return registerAfterReplay(subscriber, replayedUpTo, Long.MAX_VALUE);
  }

  /**
   * As {@link #registerAfterReplay(FeedSubscriber, long)}, but only when what the tail holds for
   * the subscriber is at most {@code maxBytes}: a resume served from memory is delivered at once,
   * without the pacing a replay has, so it must not overrun the client's outbound buffer.
   */
  public synchronized boolean registerAfterReplay(
      FeedSubscriber subscriber, long replayedUpTo, long maxBytes) {
    if (!subscriber.active()) {
      // Unsubscribed meanwhile: checked under the lock, so it cannot be registered after the
      // unsubscribe removed it.
      return true;
    }
    if (replayedUpTo < liveFrom || (replayedUpTo < position && !tail.covers(replayedUpTo))) {
      // Before liveFrom the live reader only built its fence (with less look-behind than a replay
      // has): the replay reads up to there itself.
      return false;
    }
    List<FeedRecord> pending = tail.since(replayedUpTo, subscriber);
    if (maxBytes != Long.MAX_VALUE
        && pending.stream().mapToLong(FeedRecord::sizeInBytes).sum() > maxBytes) {
      return false;
    }
    for (FeedRecord record : pending) {
      if (record.offset() < position) {
        subscriber.onRecord(record);
      }
    }
    register(subscriber, Math.max(position, replayedUpTo));
    return true;
  }

  public synchronized void unregister(FeedSubscriber subscriber) {
    if (subscriber.sessionId() == null) {
      unregister(orgSubscribers, subscriber.orgId(), subscriber);
    } else {
      unregister(
          subscribers, new SessionRef(subscriber.orgId(), subscriber.sessionId()), subscriber);
    }
  }

  private <K> void unregister(
      Map<K, List<Registration>> registrations, K key, FeedSubscriber subscriber) {
    List<Registration> registered = registrations.get(key);
    if (registered != null && registered.removeIf(r -> r.subscriber() == subscriber)) {
      subscriberCount--;
      if (registered.isEmpty()) {
        registrations.remove(key);
      }
    }
  }

  private void register(FeedSubscriber subscriber, long nextOffset) {
    Registration registration = new Registration(subscriber, nextOffset);
    if (subscriber.sessionId() == null) {
      orgSubscribers.computeIfAbsent(subscriber.orgId(), o -> new ArrayList<>(1)).add(registration);
    } else {
      subscribers
          .computeIfAbsent(
              new SessionRef(subscriber.orgId(), subscriber.sessionId()), s -> new ArrayList<>(1))
          .add(registration);
    }
    subscriberCount++;
  }

  /** The dispatcher delivers a subscriber only records at or after its next offset. */
  private record Registration(FeedSubscriber subscriber, long nextOffset) {}
}
