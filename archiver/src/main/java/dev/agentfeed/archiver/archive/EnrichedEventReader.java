package dev.agentfeed.archiver.archive;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Ids;
import dev.agentfeed.model.SessionRef;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import tools.jackson.core.JacksonException;

/**
 * Turns a record of {@code events.enriched} into an event to buffer, or says why it cannot be
 * archived. The record's own bytes become the replay line, so that fields this version of the
 * archiver does not know are archived too; only a value spread over several lines is re-encoded.
 */
final class EnrichedEventReader {

  private final EventCodec codec;

  EnrichedEventReader(EventCodec codec) {
    this.codec = codec;
  }

  /** What became of one record. */
  sealed interface Result permits Accepted, Rejected {}

  /** The event, for the session it belongs to. */
  record Accepted(SessionRef session, BufferedEvent event) implements Result {}

  /** Why the record cannot be archived; it goes to the dead-letter topic. */
  record Rejected(String reason) implements Result {}

  Result read(ConsumerRecord<String, byte[]> record) {
    byte[] value = record.value();
    if (value == null) {
      return new Rejected("a record without value (tombstone) on an event topic");
    }
    EventEnvelope event;
    try {
      event = codec.fromBytes(value);
    } catch (JacksonException e) {
      return new Rejected("not an agentfeed envelope: " + e.getOriginalMessage());
    }
    if (event.seq() == null || event.seq() < 1) {
      return new Rejected("no seq: events.enriched carries sequenced events only");
    }
    if (!Ids.isValid(event.orgId()) || !Ids.isValid(event.sessionId())) {
      return new Rejected("orgId or sessionId does not match " + Ids.PATTERN_TEXT);
    }
    byte[] line = hasLineBreak(value) ? codec.toBytes(event) : value;
    return new Accepted(
        event.session(),
        new BufferedEvent(
            record.offset(), event.seq(), event.ts(), event.type(), event.agentId(), line));
  }

  private static boolean hasLineBreak(byte[] value) {
    for (byte b : value) {
      if (b == '\n' || b == '\r') {
        return true;
      }
    }
    return false;
  }
}
