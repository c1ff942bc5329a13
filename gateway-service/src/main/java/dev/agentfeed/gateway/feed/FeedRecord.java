package dev.agentfeed.gateway.feed;

import dev.agentfeed.model.SessionRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One {@code feed.live} record, decoded once however many subscribers get it: a tier-1 event or a
 * batch of one session's tier-2 events, with where it lives. Each event's JSON is the pipeline's
 * canonical encoding (tier-3 fields stay the detail references the processor put there), so frames
 * splice it in rather than re-encode it per subscriber.
 *
 * @param batch whether the record is a {@code LiveBatch} (sent as a {@code batch} frame)
 * @param events the record's events in seq order; one for a tier-1 event
 */
public final class FeedRecord {

  private final int partition;
  private final long offset;
  private final SessionRef session;
  private final boolean batch;
  private final List<Item> events;
  // The last cursor computed for this record, by scope and seq (or positions): every subscriber of
  // one session gets the same cursor for it, so it is computed (an HMAC) once rather than once per
  // subscriber; likewise the org-wide subscribers of an org that are at the same positions.
  private volatile Memo cursor;

  public FeedRecord(
      int partition, long offset, SessionRef session, boolean batch, List<Item> events) {
    this.partition = partition;
    this.offset = offset;
    this.session = session;
    this.batch = batch;
    this.events = List.copyOf(events);
  }

  public int partition() {
    return partition;
  }

  public long offset() {
    return offset;
  }

  public SessionRef session() {
    return session;
  }

  public boolean batch() {
    return batch;
  }

  public List<Item> events() {
    return events;
  }

  /**
   * The events whose seq is above {@code seq}, in order; the same list when that is all of them.
   * Events without a seq (0) are always kept: there is nothing to compare them by.
   */
  public List<Item> eventsAfter(long seq) {
    int kept = 0;
    for (Item item : events) {
      if (item.seq() > seq || item.seq() <= 0) {
        kept++;
      }
    }
    if (kept == events.size()) {
      return events;
    }
    List<Item> result = new ArrayList<>(kept);
    for (Item item : events) {
      if (item.seq() > seq || item.seq() <= 0) {
        result.add(item);
      }
    }
    return result;
  }

  /** The highest seq of the events; 0 when none has one. */
  public static long maxSeq(List<Item> events) {
    long max = 0;
    for (Item item : events) {
      max = Math.max(max, item.seq());
    }
    return max;
  }

  /** This record with only {@code kept}, some of its events (the rest were passed on before). */
  FeedRecord withEvents(List<Item> kept) {
    return new FeedRecord(partition, offset, session, batch, kept);
  }

  /**
   * The cursor for {@code key} and {@code seq} (what the cursor depends on besides this record: a
   * single-session subscription's scope and the last seq it has passed on, or an org-wide one's
   * scope and positions), computed by {@code encode} only when the last one asked for was for
   * another key or seq.
   */
  public String cursor(String key, long seq, Supplier<String> encode) {
    Memo last = cursor;
    if (last != null && last.seq() == seq && last.key().equals(key)) {
      return last.cursor();
    }
    String computed = encode.get();
    cursor = new Memo(key, seq, computed);
    return computed;
  }

  /**
   * Drops the remembered cursor once the live reader has dispatched the record: the tail keeps the
   * record for seconds, and a resume served from it seldom asks for the same cursor.
   */
  void forgetCursor() {
    cursor = null;
  }

  private record Memo(String key, long seq, String cursor) {}

  /**
   * One event of the record.
   *
   * @param type the event type's wire name, which type filters match
   * @param receivedAt when ingest received it (null if unknown), for the end-to-end latency
   */
  public record Item(String type, long seq, Instant receivedAt, String json) {}

  public String orgId() {
    return session.orgId();
  }

  @Override
  public String toString() {
    return "FeedRecord[" + session.key() + " partition " + partition + " offset " + offset + "]";
  }

  /** What the record costs in memory, roughly: its JSON dominates. */
  long sizeInBytes() {
    long bytes = 96L;
    for (Item item : events) {
      bytes += 64L + 2L * item.json().length();
    }
    return bytes;
  }
}
