package dev.agentfeed.archiver.archive;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.Ids;
import dev.agentfeed.model.IsoInstants;
import dev.agentfeed.model.SessionRef;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a record of {@code events.enriched} into an event to buffer, or says why it cannot be
 * archived. The record's own bytes become the replay line, so that fields this version of the
 * archiver does not know are archived too; only a value spread over several lines is re-encoded.
 *
 * <p>Reading was the poll thread's largest cost, so a record in the form the pipeline writes is
 * read in one streaming pass that checks what binding it to an {@link EventEnvelope} would check
 * (one JSON object and nothing after it, every required field of its type, a known event type,
 * valid instants) and keeps only the fields the archiver decides by. Anything else — a value on
 * several lines, a field of an unexpected JSON type, an instant with an offset — is bound by the
 * codec as before, so the fast path never accepts what the codec refuses.
 */
final class EnrichedEventReader {

  private final EventCodec codec;
  private final JsonMapper mapper;

  EnrichedEventReader(EventCodec codec) {
    this.codec = codec;
    this.mapper = codec.mapper();
  }

  /** What became of one record. */
  sealed interface Result permits Accepted, Rejected {}

  /** The event, for the session it belongs to. */
  record Accepted(SessionRef session, BufferedEvent event) implements Result {}

  /** Why the record cannot be archived; it goes to the dead-letter topic. */
  record Rejected(String reason) implements Result {}

  /** The fields of a record read by the fast path. */
  private record Fields(
      String orgId, String sessionId, String agentId, EventType type, Instant ts, Long seq) {}

  Result read(ConsumerRecord<String, byte[]> record) {
    byte[] value = record.value();
    if (value == null) {
      return new Rejected("a record without value (tombstone) on an event topic");
    }
    Fields fields = scan(value);
    if (fields == null) {
      return bind(record.offset(), value);
    }
    return accept(
        record.offset(),
        fields.orgId(),
        fields.sessionId(),
        fields.seq(),
        fields.ts(),
        fields.type(),
        fields.agentId(),
        value);
  }

  /** The codec's full reading: for values the fast path leaves alone. */
  private Result bind(long offset, byte[] value) {
    EventEnvelope event;
    try {
      event = codec.fromBytes(value);
    } catch (JacksonException e) {
      return new Rejected("not an agentfeed envelope: " + e.getOriginalMessage());
    }
    byte[] line = hasLineBreak(value) ? codec.toBytes(event) : value;
    return accept(
        offset,
        event.orgId(),
        event.sessionId(),
        event.seq(),
        event.ts(),
        event.type(),
        event.agentId(),
        line);
  }

  private static Result accept(
      long offset,
      String orgId,
      String sessionId,
      Long seq,
      Instant ts,
      EventType type,
      String agentId,
      byte[] line) {
    if (seq == null || seq < 1) {
      return new Rejected("no seq: events.enriched carries sequenced events only");
    }
    if (!Ids.isValid(orgId) || !Ids.isValid(sessionId)) {
      return new Rejected("orgId or sessionId does not match " + Ids.PATTERN_TEXT);
    }
    return new Accepted(
        new SessionRef(orgId, sessionId), new BufferedEvent(offset, seq, ts, type, agentId, line));
  }

  /**
   * Reads the value in one pass when it is in the pipeline's own form.
   *
   * @return its fields, or null when the codec must decide
   */
  private Fields scan(byte[] value) {
    String id = null;
    String orgId = null;
    String sessionId = null;
    String agentId = null;
    EventType type = null;
    Instant ts = null;
    Long seq = null;
    boolean data = false;
    try (JsonParser parser = mapper.createParser(value)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
        String name = parser.currentName();
        JsonToken next = parser.nextToken();
        boolean string = next == JsonToken.VALUE_STRING;
        boolean absent = next == JsonToken.VALUE_NULL;
        switch (name) {
          case "id" -> id = string ? parser.getString() : null;
          case "orgId" -> orgId = string ? parser.getString() : null;
          case "sessionId" -> sessionId = string ? parser.getString() : null;
          case "type" ->
              type = string ? EventType.fromWireName(parser.getString()).orElse(null) : null;
          case "ts" -> ts = string ? IsoInstants.parseCanonical(parser.getString()) : null;
          case "seq" -> {
            if (!absent && next != JsonToken.VALUE_NUMBER_INT) {
              return null;
            }
            seq = absent ? null : parser.getLongValue();
          }
          case "data" -> {
            data = next == JsonToken.START_OBJECT;
            parser.skipChildren();
          }
          case "agentId" -> {
            agentId = string ? parser.getString() : null;
            if (!string && !absent) {
              return null;
            }
          }
          case "source" -> {
            if (!string && !absent) {
              return null;
            }
          }
          case "receivedAt" -> {
            if (!absent && !(string && IsoInstants.parseCanonical(parser.getString()) != null)) {
              return null;
            }
          }
          case "tier" -> {
            if (!absent && next != JsonToken.VALUE_NUMBER_INT) {
              return null;
            }
            if (!absent) {
              parser.getIntValue();
            }
          }
          default -> parser.skipChildren();
        }
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return null;
      }
      // A line break can only be whitespace between tokens (strings hold none unescaped); the
      // parser counted them, so the value need not be scanned again for them.
      if (parser.currentLocation().getLineNr() != 1) {
        return null;
      }
    } catch (JacksonException e) {
      // Malformed, or a number out of range: the codec gives the reason.
      return null;
    }
    if (id == null || orgId == null || sessionId == null || type == null || ts == null || !data) {
      return null;
    }
    return new Fields(orgId, sessionId, agentId, type, ts, seq);
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
