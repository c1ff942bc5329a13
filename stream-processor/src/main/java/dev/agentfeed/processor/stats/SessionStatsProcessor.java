package dev.agentfeed.processor.stats;

import dev.agentfeed.model.EventEnvelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts every enriched event of one task into its session's tally, and writes the stats of the
 * sessions that changed once per stats interval (wall clock), keyed {@code orgId/sessionId}.
 * Writing per event cost a stats record and a JSON rendering per event, which at a few thousand
 * events per second made the processor fall behind; a dashboard does not need stats faster than
 * every second.
 *
 * <p>The same punctuation reports running sessions without events for the idle time as {@code idle}
 * and forgets sessions that are over (or idle) and quiet for the retention, which bounds the store.
 * Which sessions changed, and when each was last active, is also kept in each tally, so a restarted
 * task rebuilds its view with one pass over the store and misses no update.
 */
final class SessionStatsProcessor
    implements Processor<String, EventEnvelope, String, SessionStats> {

  private final Duration interval;
  private final long idleAfterMs;
  private final long retentionMs;

  private ProcessorContext<String, SessionStats> context;
  private KeyValueStore<String, SessionTally> tallies;
  private Cancellable punctuation;

  /** Sessions whose stats changed since they were last written, in key order. */
  private final Set<String> unpublished = new TreeSet<>();

  /**
   * The latest tallies as objects, so an event does not read its session's tally back from JSON;
   * the store stays the truth (every change is put to it, and the write-behind store serialises
   * each changed tally once per commit), this only saves reading it back after a commit.
   */
  private final Map<String, SessionTally> recent =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SessionTally> eldest) {
          return size() > RECENT_KEPT;
        }
      };

  static final int RECENT_KEPT = 4096;

  /** Every session in the store: wall-clock time of its latest event and its status. */
  private final Map<String, Activity> activity = new HashMap<>();

  private record Activity(long lastMs, String status) {}

  SessionStatsProcessor(Duration interval, Duration idleAfter, Duration retention) {
    this.interval = interval;
    this.idleAfterMs = idleAfter.toMillis();
    this.retentionMs = retention.toMillis();
  }

  @Override
  public void init(ProcessorContext<String, SessionStats> context) {
    this.context = context;
    this.tallies = context.getStateStore(SessionStatsTopology.STATS_STORE);
    // A revived task calls init again on the same processor: start from the store, not from memory.
    unpublished.clear();
    activity.clear();
    recent.clear();
    try (KeyValueIterator<String, SessionTally> all = tallies.all()) {
      all.forEachRemaining(entry -> remember(entry.key, entry.value));
    }
    this.punctuation = context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  @Override
  public void process(Record<String, EventEnvelope> record) {
    EventEnvelope event = record.value();
    String key = event.session().key();
    SessionTally tally = tally(key);
    if (tally == null) {
      tally = new SessionTally();
    }
    tally.add(event, record.timestamp(), context.currentSystemTimeMs());
    tallies.put(key, tally);
    recent.put(key, tally);
    remember(key, tally);
  }

  @Override
  public void close() {
    punctuation.cancel();
  }

  private void punctuate(long now) {
    List<String> forget = new ArrayList<>();
    activity.forEach(
        (key, seen) -> {
          long quietMs = now - seen.lastMs();
          if (SessionTally.RUNNING.equals(seen.status()) && quietMs >= idleAfterMs) {
            SessionTally tally = tally(key);
            tally.idle();
            tallies.put(key, tally);
            unpublished.add(key);
          } else if (!SessionTally.RUNNING.equals(seen.status())
              && quietMs >= retentionMs
              && !unpublished.contains(key)) {
            forget.add(key);
          }
        });
    for (String key : forget) {
      tallies.delete(key);
      activity.remove(key);
      recent.remove(key);
    }
    for (String key : unpublished) {
      SessionTally tally = tally(key);
      tally.published();
      tallies.put(key, tally);
      activity.put(key, new Activity(tally.lastActivityMs(), tally.status()));
      context.forward(new Record<>(key, tally.view(), tally.lastRecordAtMs()));
    }
    unpublished.clear();
  }

  private SessionTally tally(String key) {
    SessionTally tally = recent.get(key);
    return tally != null ? tally : tallies.get(key);
  }

  private void remember(String key, SessionTally tally) {
    activity.put(key, new Activity(tally.lastActivityMs(), tally.status()));
    if (tally.unpublished()) {
      unpublished.add(key);
    }
  }
}
