package dev.agentfeed.gateway.feed;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.LiveBatch;
import dev.agentfeed.model.LiveRecord;
import dev.agentfeed.model.SessionRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * Turns a {@code feed.live} record (a tier-1 event or a batch of tier-2 events, see {@link
 * EventCodec#readLive}) into a {@link FeedRecord}. A record that is neither is logged and skipped
 * rather than stopping the feed for every dashboard; the stream processor is the only writer, so it
 * means a bug there, and the log names where it is.
 *
 * <p>Every record is first read in one streaming pass ({@link LiveRecordScanner}) for only what the
 * gateway uses: this was a fifth of the gateway's CPU as a tree parse, a data binding and two
 * instant parses per record. The scanner answers only for records it reads exactly as the data
 * binder would (all that the stream processor writes); any other record is read as before, by tree
 * and data binding ({@link #decodeByTree}), which decides whether and how it is delivered.
 */
final class RecordDecoder {

  private static final Logger log = LoggerFactory.getLogger(RecordDecoder.class);

  // Sessions seen lately, so that the records of one session share one SessionRef (and its id
  // strings): the live tail holds thousands of records of a few sessions. Bounded by a reset.
  private static final int MAX_SESSIONS = 65_536;

  private final EventCodec codec;
  private final LiveRecordScanner scanner;
  private final Map<SessionRef, SessionRef> sessions = new ConcurrentHashMap<>();

  RecordDecoder(EventCodec codec) {
    this.codec = codec;
    this.scanner = new LiveRecordScanner(codec.mapper());
  }

  private SessionRef session(String orgId, String sessionId) {
    SessionRef session = new SessionRef(orgId, sessionId);
    SessionRef known = sessions.get(session);
    if (known != null) {
      return known;
    }
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.clear();
    }
    known = sessions.putIfAbsent(session, session);
    return known == null ? session : known;
  }

  /** Whose record it is and the highest seq in it, without building frames: for a look-behind. */
  Optional<Seen> peek(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return Optional.empty();
    }
    LiveRecordScanner.Scanned scanned = scanner.scan(record.value(), false);
    if (scanned == null) {
      return peekByTree(record);
    }
    long max = 0;
    for (LiveRecordScanner.Event event : scanned.events()) {
      max = Math.max(max, event.seq() == null ? 0 : event.seq());
    }
    return Optional.of(new Seen(session(scanned.orgId(), scanned.sessionId()), max));
  }

  /** {@link #peek} by tree and data binding: the reference for any record the scanner refuses. */
  Optional<Seen> peekByTree(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return Optional.empty();
    }
    try {
      LiveRecord live = codec.readLive(record.value());
      long max = 0;
      if (live instanceof LiveBatch batch) {
        for (EventEnvelope event : batch.events()) {
          max = Math.max(max, event.seq() == null ? 0 : event.seq());
        }
      } else {
        Long seq = ((EventEnvelope) live).seq();
        max = seq == null ? 0 : seq;
      }
      return Optional.of(new Seen(live.session(), max));
    } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
      // decode() logs it when the record is read to be delivered; a look-behind just skips it.
      return Optional.empty();
    }
  }

  /** A record seen only to learn the highest seq of its session. */
  record Seen(SessionRef session, long maxSeq) {}

  Optional<FeedRecord> decode(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return Optional.empty();
    }
    LiveRecordScanner.Scanned scanned = scanner.scan(record.value(), true);
    if (scanned == null) {
      return decodeByTree(record);
    }
    List<FeedRecord.Item> items = new ArrayList<>(scanned.events().size());
    for (LiveRecordScanner.Event event : scanned.events()) {
      // A tier-1 record is one envelope in the pipeline's canonical encoding already: its bytes
      // are sent as they are. A batch's events are their canonical text, cut out of the record.
      String json =
          scanned.batch()
              ? event.json()
              : new String(record.value(), StandardCharsets.UTF_8).strip();
      items.add(
          new FeedRecord.Item(
              event.type(), event.seq() == null ? 0 : event.seq(), event.receivedAt(), json));
    }
    return Optional.of(
        new FeedRecord(
            record.partition(),
            record.offset(),
            session(scanned.orgId(), scanned.sessionId()),
            scanned.batch(),
            items));
  }

  /**
   * {@link #decode} by tree and data binding, as the gateway always did: the reference for any
   * record the scanner refuses, and what a test compares the scanner with.
   */
  Optional<FeedRecord> decodeByTree(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return Optional.empty();
    }
    try {
      LiveRecord live = codec.readLive(record.value());
      List<EventEnvelope> events =
          live instanceof LiveBatch batch ? batch.events() : List.of((EventEnvelope) live);
      List<FeedRecord.Item> items = new ArrayList<>(events.size());
      for (EventEnvelope event : events) {
        // A tier-1 record is one envelope in the pipeline's canonical encoding already: its bytes
        // are sent as they are. A batch's events are encoded one by one.
        String json =
            live instanceof LiveBatch
                ? codec.toJson(event)
                : new String(record.value(), StandardCharsets.UTF_8).strip();
        items.add(
            new FeedRecord.Item(
                event.type().wireName(),
                event.seq() == null ? 0 : event.seq(),
                event.receivedAt(),
                json));
      }
      return Optional.of(
          new FeedRecord(
              record.partition(),
              record.offset(),
              live.session(),
              live instanceof LiveBatch,
              items));
    } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
      log.warn(
          "Skipping a record that is neither an event nor a batch: topic {} partition {} offset {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e);
      return Optional.empty();
    }
  }
}
