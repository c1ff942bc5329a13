package dev.agentfeed.gateway.feed;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The last records the live reader read from one partition, bounded by count and bytes. A replay
 * joins the live feed through it: the records between where the replay stopped and where the live
 * reader is are taken from here. Not thread-safe; {@link PartitionFeed} guards it.
 */
final class FeedTail {

  private final int maxRecords;
  private final long maxBytes;
  private final ArrayDeque<FeedRecord> records = new ArrayDeque<>();
  private long bytes;
  // Every record at or after this offset that the reader read is held.
  private long coveredFrom;

  FeedTail(int maxRecords, long maxBytes) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
  }

  void reset(long offset) {
    records.clear();
    bytes = 0;
    coveredFrom = offset;
  }

  void add(FeedRecord record) {
    records.addLast(record);
    bytes += record.sizeInBytes();
    while (!records.isEmpty() && (records.size() > maxRecords || bytes > maxBytes)) {
      FeedRecord evicted = records.removeFirst();
      bytes -= evicted.sizeInBytes();
      coveredFrom = evicted.offset() + 1;
    }
  }

  /** Whether no record at or after {@code offset} has been evicted. */
  boolean covers(long offset) {
    return offset >= coveredFrom;
  }

  /** The held records at or after {@code offset} that the subscriber follows. */
  List<FeedRecord> since(long offset, FeedSubscriber subscriber) {
    List<FeedRecord> newestFirst = new ArrayList<>();
    Iterator<FeedRecord> it = records.descendingIterator();
    while (it.hasNext()) {
      FeedRecord record = it.next();
      if (record.offset() < offset) {
        break;
      }
      if (subscriber.follows(record)) {
        newestFirst.add(record);
      }
    }
    Collections.reverse(newestFirst);
    return newestFirst;
  }

  int size() {
    return records.size();
  }
}
