package dev.agentfeed.gateway.feed;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.LiveBatch;
import dev.agentfeed.model.LiveRecord;
import dev.agentfeed.model.SessionRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * Turns a {@code feed.live} record (a tier-1 event or a batch of tier-2 events, see {@link
 * EventCodec#readLive}) into a {@link FeedRecord}. A record that is neither is logged and skipped
 * rather than stopping the feed for every dashboard; the stream processor is the only writer, so it
 * means a bug there, and the log names where it is.
 */
final class RecordDecoder {

  private static final Logger log = LoggerFactory.getLogger(RecordDecoder.class);

  private final EventCodec codec;

  RecordDecoder(EventCodec codec) {
    this.codec = codec;
  }

  /** Whose record it is and the highest seq in it, without building frames: for a look-behind. */
  Optional<Seen> peek(ConsumerRecord<byte[], byte[]> record) {
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
