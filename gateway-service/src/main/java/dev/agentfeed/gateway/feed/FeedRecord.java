package dev.agentfeed.gateway.feed;

import dev.agentfeed.model.SessionRef;
import java.time.Instant;
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
  // The last cursor computed for this record, by scope: every subscriber of one session gets the
  // same cursor for it, so it is computed (an HMAC) once rather than once per subscriber.
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
   * The cursor for {@code key} (what the cursor depends on besides this record), computed by {@code
   * encode} only when the last one asked for was for another key.
   */
  public String cursor(String key, Supplier<String> encode) {
    Memo last = cursor;
    if (last != null && last.key().equals(key)) {
      return last.cursor();
    }
    String computed = encode.get();
    cursor = new Memo(key, computed);
    return computed;
  }

  private record Memo(String key, String cursor) {}

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
