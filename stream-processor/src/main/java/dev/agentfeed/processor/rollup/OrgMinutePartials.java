package dev.agentfeed.processor.rollup;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.processor.streams.StoreKeys;
import java.time.Duration;
import java.util.TreeSet;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts one task's enriched events per org and minute of record time, and every {@code
 * rollup-flush} (wall clock) sends each partial count on, keyed by orgId and timestamped with the
 * latest event it counts, to the rollup, which adds up the partial counts of all tasks per org. So
 * one record per org and minute per flush crosses the repartition topic, not one per event.
 *
 * <p>The partial counts live in the partials store, keyed {@code <minute start, epoch ms, 13
 * digits>/orgId} so that its order is the minutes' order: a write-behind store, so a count changed
 * by many events between two commits reaches its changelog once per commit, and a crash loses none
 * (the store and the input offsets commit together). A task sends what it finds there at its first
 * flush. Within a flush the oldest minutes go first, so a late event's minute arrives before the
 * later minutes of the same flush can close it.
 */
final class OrgMinutePartials implements Processor<String, EventEnvelope, String, MinuteTally> {

  private static final long MINUTE_MS = OrgMinuteRollupTopology.MINUTE.toMillis();

  private final Duration flushInterval;

  private ProcessorContext<String, MinuteTally> context;
  private KeyValueStore<String, MinuteTally> partials;
  private Cancellable punctuation;

  /** The keys in the partials store, oldest minute first. */
  private final TreeSet<String> keys = new TreeSet<>();

  OrgMinutePartials(Duration flushInterval) {
    this.flushInterval = flushInterval;
  }

  @Override
  public void init(ProcessorContext<String, MinuteTally> context) {
    this.context = context;
    this.partials = context.getStateStore(OrgMinuteRollupTopology.PARTIALS_STORE);
    keys.clear();
    try (KeyValueIterator<String, MinuteTally> all = partials.all()) {
      all.forEachRemaining(entry -> keys.add(entry.key));
    }
    punctuation = context.schedule(flushInterval, PunctuationType.WALL_CLOCK_TIME, now -> flush());
  }

  @Override
  public void process(Record<String, EventEnvelope> record) {
    EventEnvelope event = record.value();
    long minute = record.timestamp() - Math.floorMod(record.timestamp(), MINUTE_MS);
    String key = StoreKeys.zeroPadded(minute, 13) + "/" + event.orgId();
    MinuteTally tally = partials.get(key);
    if (tally == null) {
      tally = new MinuteTally();
      keys.add(key);
    }
    partials.put(key, tally.add(event, record.timestamp()));
  }

  @Override
  public void close() {
    punctuation.cancel();
  }

  private void flush() {
    for (String key : keys) {
      MinuteTally tally = partials.delete(key);
      if (tally != null) {
        String orgId = key.substring(key.indexOf('/') + 1);
        context.forward(new Record<>(orgId, tally, tally.latestRecordAt()));
      }
    }
    keys.clear();
  }
}
