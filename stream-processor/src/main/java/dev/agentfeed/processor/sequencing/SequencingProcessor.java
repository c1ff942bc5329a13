package dev.agentfeed.processor.sequencing;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Ids;
import dev.agentfeed.model.Tiers;
import java.time.Duration;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dedupes and sequences the raw events of one task. An event is a duplicate when an event with the
 * same org, session and id was seen with a record timestamp less than the dedupe retention away
 * from its own. Every other event gets its session's next seq; the store updates and the output
 * records go into the same Kafka transaction, so a retried task reassigns exactly the same seqs.
 *
 * <p>A record that breaks the raw topic's contract (keyed by something else than its sessionId, or
 * ids the contract forbids) would put a session's state into two tasks or break the stores' key
 * layout: it is refused before any state changes, by throwing {@link UnprocessableEventException},
 * and the configured processing exception handler sends it to the dead-letter topic.
 */
final class SequencingProcessor implements Processor<String, EventEnvelope, String, EventEnvelope> {

  private static final Logger log = LoggerFactory.getLogger(SequencingProcessor.class);

  /** Kafka Streams metric group {@code stream-agentfeed-sequencing-metrics}. */
  static final String METRICS_SCOPE = "agentfeed-sequencing";

  static final String DUPLICATES_DROPPED = "duplicates-dropped";
  static final String TOMBSTONES_SKIPPED = "tombstones-skipped";

  private final long retentionMs;

  private ProcessorContext<String, EventEnvelope> context;
  private WindowStore<String, Long> seenEvents;
  private KeyValueStore<String, Long> lastSeqs;
  private KeyValueStore<String, Long> sessionStarts;
  private Sensor duplicatesDropped;
  private Sensor tombstonesSkipped;

  SequencingProcessor(Duration dedupeRetention) {
    this.retentionMs = dedupeRetention.toMillis();
  }

  @Override
  public void init(ProcessorContext<String, EventEnvelope> context) {
    this.context = context;
    this.seenEvents = context.getStateStore(SequencingTopology.DEDUPE_STORE);
    this.lastSeqs = context.getStateStore(SequencingTopology.SESSION_SEQ_STORE);
    this.sessionStarts = context.getStateStore(SequencingTopology.SESSION_START_STORE);
    String task = context.taskId().toString();
    this.duplicatesDropped = sensor(task, DUPLICATES_DROPPED);
    this.tombstonesSkipped = sensor(task, TOMBSTONES_SKIPPED);
  }

  @Override
  public void process(Record<String, EventEnvelope> record) {
    EventEnvelope event = record.value();
    if (event == null) {
      skipTombstone(record);
      return;
    }
    check(record.key(), event);
    String sessionKey = event.session().key();
    String eventKey = sessionKey + "/" + event.id();
    Long firstSeq = seenWithinRetention(eventKey, record.timestamp());
    if (firstSeq != null) {
      dropDuplicate(event, sessionKey, firstSeq);
      return;
    }
    Long last = lastSeqs.get(sessionKey);
    long seq = last == null ? 1 : last + 1;
    EventEnvelope sequenced = event.withSeq(seq).withTier(Tiers.of(event));

    long timestamp = notBeforeSessionStart(sessionKey, seq, record.timestamp());

    lastSeqs.put(sessionKey, seq);
    seenEvents.put(eventKey, seq, record.timestamp());
    context.forward(
        record.withKey(event.sessionId()).withValue(sequenced).withTimestamp(timestamp));
  }

  /**
   * The record timestamp the event leaves with: its own, unless that is earlier than its session's
   * first event's (a producer's clock, two ingest instances), which readers rely on as a lower
   * bound. Sessions sequenced before this store existed start at their next event.
   */
  private long notBeforeSessionStart(String sessionKey, long seq, long timestamp) {
    Long start = seq == 1 ? null : sessionStarts.get(sessionKey);
    if (start == null) {
      sessionStarts.put(sessionKey, timestamp);
      return timestamp;
    }
    return Math.max(start, timestamp);
  }

  private static void check(String key, EventEnvelope event) {
    for (String id : new String[] {event.orgId(), event.sessionId(), event.id()}) {
      if (!Ids.isValid(id)) {
        throw new UnprocessableEventException(
            "event id, orgId or sessionId does not match " + Ids.PATTERN_TEXT + ": " + id);
      }
    }
    if (!event.sessionId().equals(key)) {
      throw new UnprocessableEventException(
          "raw record key "
              + key
              + " is not the event's sessionId "
              + event.sessionId()
              + ": the raw topic must be keyed by sessionId");
    }
  }

  @Override
  public void close() {
    context.metrics().removeSensor(duplicatesDropped);
    context.metrics().removeSensor(tombstonesSkipped);
  }

  /** The seq the event got when first seen, or null if it was not seen within the retention. */
  private Long seenWithinRetention(String eventKey, long timestamp) {
    // Both directions: a retry normally comes later, but partitions can deliver out of order. The
    // fetch bounds are inclusive, so they stop a millisecond short of a retention on both sides: a
    // first copy exactly a retention away is not a duplicate, before or after.
    long from = Math.max(0, timestamp - retentionMs + 1);
    long to =
        timestamp > Long.MAX_VALUE - retentionMs + 1 ? Long.MAX_VALUE : timestamp + retentionMs - 1;
    try (WindowStoreIterator<Long> seen = seenEvents.fetch(eventKey, from, to)) {
      return seen.hasNext() ? seen.next().value : null;
    }
  }

  private void dropDuplicate(EventEnvelope event, String sessionKey, long firstSeq) {
    duplicatesDropped.record();
    if (log.isDebugEnabled()) {
      RecordMetadata origin = context.recordMetadata().orElseThrow();
      log.debug(
          "Dropping duplicate event {} of session {} (first sequenced as {}) from topic {}"
              + " partition {} offset {}",
          event.id(),
          sessionKey,
          firstSeq,
          origin.topic(),
          origin.partition(),
          origin.offset());
    }
  }

  private void skipTombstone(Record<String, EventEnvelope> record) {
    tombstonesSkipped.record();
    RecordMetadata origin = context.recordMetadata().orElseThrow();
    log.warn(
        "Skipping a record without value (tombstone) for session {} from topic {} partition {}"
            + " offset {}: raw events are never deleted",
        record.key(),
        origin.topic(),
        origin.partition(),
        origin.offset());
  }

  private Sensor sensor(String task, String operation) {
    return context
        .metrics()
        .addRateTotalSensor(METRICS_SCOPE, task, operation, Sensor.RecordingLevel.INFO);
  }
}
