package dev.agentfeed.gateway.feed;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * Turns a {@code feed.live} record into a {@link FeedRecord}. A record that is not an envelope is
 * logged and skipped rather than stopping the feed for every dashboard; the stream processor is the
 * only writer, so it means a bug there, and the log names where it is.
 */
final class RecordDecoder {

  private static final Logger log = LoggerFactory.getLogger(RecordDecoder.class);

  private final EventCodec codec;

  RecordDecoder(EventCodec codec) {
    this.codec = codec;
  }

  Optional<FeedRecord> decode(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return Optional.empty();
    }
    try {
      EventEnvelope event = codec.fromBytes(record.value());
      return Optional.of(
          new FeedRecord(record.partition(), record.offset(), event, codec.toJson(event)));
    } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
      log.warn(
          "Skipping a record that is not an event envelope: topic {} partition {} offset {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e);
      return Optional.empty();
    }
  }
}
