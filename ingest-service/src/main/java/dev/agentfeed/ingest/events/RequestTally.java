package dev.agentfeed.ingest.events;

import dev.agentfeed.model.EventEnvelope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one request has done so far: how many events it held, which were rejected and why, which
 * were duplicates, and the ids it has seen. The listed rejections are capped, so that a body of
 * thousands of broken events cannot make an answer many times its own size.
 */
final class RequestTally {

  static final int LISTED_REJECTIONS = 1000;

  private final StoredEventIds stored;
  private final IngestMetrics metrics;
  private final List<Rejection> rejections = new ArrayList<>();
  private final Set<StoredEventIds.Key> seen = new HashSet<>();
  private int events;
  private int valid;
  private int rejected;
  private int duplicates;

  RequestTally(StoredEventIds stored, IngestMetrics metrics) {
    this.stored = stored;
    this.metrics = metrics;
  }

  void reject(Rejection rejection) {
    events++;
    rejected++;
    if (rejections.size() < LISTED_REJECTIONS) {
      rejections.add(rejection);
    }
    metrics.rejected();
  }

  /**
   * Counts a valid event and says whether it must be sent: not when this request already had it,
   * nor when it was stored recently.
   */
  boolean isNew(EventEnvelope event) {
    events++;
    valid++;
    if (seen.add(StoredEventIds.Key.of(event)) && !stored.contains(event)) {
      return true;
    }
    duplicates++;
    metrics.duplicate();
    return false;
  }

  int events() {
    return events;
  }

  int valid() {
    return valid;
  }

  IngestReport report(int accepted) {
    int notListed = rejected - rejections.size();
    return new IngestReport(
        accepted, duplicates, List.copyOf(rejections), notListed > 0 ? notListed : null);
  }
}
