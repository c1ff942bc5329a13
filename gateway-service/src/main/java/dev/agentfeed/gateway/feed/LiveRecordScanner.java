package dev.agentfeed.gateway.feed;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.IsoInstants;
import dev.agentfeed.model.LiveBatch;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a {@code feed.live} value in one streaming pass, for what the gateway needs of it: the
 * session, whether it is a batch, and per event its type, seq and {@code receivedAt}, plus for the
 * events of a batch their JSON text as {@link EventCodec#toJson} would write it. No tree, no
 * envelope objects.
 *
 * <p>It must read every record exactly as {@link EventCodec#readLive} followed by the envelope's
 * own encoding would, so it only answers for the records it can read with certainty: every value of
 * the exact JSON type the envelope binds without coercion (strings as strings, {@code seq} and
 * {@code tier} as integers, instants in the {@code 2026-01-02T03:04:05.678Z} form), required fields
 * present once, no trailing content. For anything else (a coercion the data binder would make, an
 * instant with an offset, a duplicated field, a record that is not valid at all) it answers {@code
 * null}, and the caller reads the record the old way, by tree, which decides. The stream processor
 * writes every record in the canonical form, so the fallback is for the odd record only.
 *
 * <p>A batch's events are sent as their canonical encoding, so their text is taken from the
 * record's bytes as it is only when it is that encoding already: fields in the envelope's order, no
 * nulls, no unknown fields, no whitespace, the escapes and number forms Jackson writes, no
 * duplicate names in {@code data}, instants as {@link Instant#toString()} writes them. The stream
 * processor writes exactly that; anything else falls back.
 */
final class LiveRecordScanner {

  // The envelope's fields, in the order its canonical encoding writes them.
  private static final int ID = 0;
  private static final int TYPE = 1;
  private static final int ORG = 2;
  private static final int SESSION = 3;
  private static final int AGENT = 4;
  private static final int SOURCE = 5;
  private static final int TS = 6;
  private static final int DATA = 7;
  private static final int RECEIVED = 8;
  private static final int SEQ = 9;
  private static final int TIER = 10;
  // Fields of a batch only.
  private static final int FIRST_SEQ = 11;
  private static final int LAST_SEQ = 12;
  private static final int EVENTS = 13;
  private static final int UNKNOWN = -1;

  // The mapper's own factory: the same read constraints (nesting, number and name lengths).
  private final TokenStreamFactory factory;

  LiveRecordScanner(JsonMapper mapper) {
    this.factory = mapper.tokenStreamFactory();
  }

  /**
   * What was read.
   *
   * @param events one event for a tier-1 record (its {@code json} null: the record is its text); a
   *     batch's events with their canonical text
   */
  record Scanned(String orgId, String sessionId, boolean batch, List<Event> events) {}

  /** One event: its type's wire name, its seq (null if none) and receivedAt (null if none). */
  record Event(String type, Long seq, Instant receivedAt, String json) {}

  /**
   * The record read, or null when only the tree reading can say what it is (including when it is
   * not valid at all).
   *
   * @param batchText whether a batch's events need their text (a look-behind does not)
   */
  Scanned scan(byte[] value, boolean batchText) {
    try (JsonParser parser = factory.createParser(ObjectReadContext.empty(), value)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Envelope top = new Envelope();
      long firstSeq = 0;
      long lastSeq = 0;
      int batchFields = 0;
      boolean batchBad = false;
      List<Envelope> items = null;
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
        String name = parser.currentName();
        JsonToken valueToken = parser.nextToken();
        int field = fieldOf(name);
        if (field == FIRST_SEQ || field == LAST_SEQ || field == EVENTS) {
          int bit = 1 << (field - FIRST_SEQ);
          batchBad |= (batchFields & bit) != 0;
          batchFields |= bit;
          if (field == EVENTS) {
            if (valueToken == JsonToken.START_ARRAY) {
              items = items(parser, value, batchText);
              batchBad |= items == null;
            } else {
              batchBad = true;
              parser.skipChildren();
            }
          } else if (isLong(parser, valueToken)) {
            long number = parser.getLongValue();
            if (field == FIRST_SEQ) {
              firstSeq = number;
            } else {
              lastSeq = number;
            }
          } else {
            batchBad = true;
            parser.skipChildren();
          }
        } else {
          // Envelope fields; for a batch only type, orgId and sessionId count, the rest are
          // ignored as the data binder ignores unknown fields.
          top.field(parser, field, valueToken, false);
        }
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return null;
      }
      if (LiveBatch.TYPE.equals(top.typeText)) {
        return batch(top, firstSeq, lastSeq, batchFields, batchBad, items);
      }
      if (!top.valid()) {
        return null;
      }
      return new Scanned(
          top.orgId,
          top.sessionId,
          false,
          List.of(new Event(top.type.wireName(), top.seq, top.receivedAt, null)));
    } catch (JacksonException e) {
      return null;
    }
  }

  private static Scanned batch(
      Envelope top,
      long firstSeq,
      long lastSeq,
      int batchFields,
      boolean batchBad,
      List<Envelope> items) {
    // type, orgId and sessionId once each as strings; firstSeq, lastSeq and events once each.
    if (batchBad
        || batchFields != 0b111
        || top.stringBad
        || top.duplicate
        || top.orgId == null
        || top.sessionId == null
        || items == null
        || items.isEmpty()) {
      return null;
    }
    List<Event> events = new ArrayList<>(items.size());
    for (Envelope item : items) {
      if (!item.orgId.equals(top.orgId) || !item.sessionId.equals(top.sessionId)) {
        return null;
      }
      events.add(new Event(item.type.wireName(), item.seq, item.receivedAt, item.json));
    }
    return new Scanned(top.orgId, top.sessionId, true, events);
  }

  /** The events of a batch's array (the parser is at its start), or null if one is not certain. */
  private static List<Envelope> items(JsonParser parser, byte[] value, boolean batchText) {
    List<Envelope> items = new ArrayList<>();
    boolean certain = true;
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token != JsonToken.START_OBJECT) {
        certain = false;
        parser.skipChildren();
        continue;
      }
      int start = (int) parser.currentTokenLocation().getByteOffset();
      Envelope item = new Envelope();
      JsonToken next;
      while ((next = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
        String name = parser.currentName();
        JsonToken valueToken = parser.nextToken();
        item.field(parser, fieldOf(name), valueToken, batchText);
      }
      if (next != JsonToken.END_OBJECT || !item.valid()) {
        certain = false;
        continue;
      }
      if (batchText) {
        int end = (int) parser.currentTokenLocation().getByteOffset() + 1;
        if (start < 0
            || end > value.length
            || !item.canonical
            || !canonicalText(value, start, end)) {
          certain = false;
          continue;
        }
        item.json = new String(value, start, end - start, StandardCharsets.UTF_8);
      }
      items.add(item);
    }
    return certain ? items : null;
  }

  private static int fieldOf(String name) {
    return switch (name) {
      case "id" -> ID;
      case "type" -> TYPE;
      case "orgId" -> ORG;
      case "sessionId" -> SESSION;
      case "agentId" -> AGENT;
      case "source" -> SOURCE;
      case "ts" -> TS;
      case "data" -> DATA;
      case "receivedAt" -> RECEIVED;
      case "seq" -> SEQ;
      case "tier" -> TIER;
      case "firstSeq" -> FIRST_SEQ;
      case "lastSeq" -> LAST_SEQ;
      case "events" -> EVENTS;
      default -> UNKNOWN;
    };
  }

  private static boolean isLong(JsonParser parser, JsonToken token) {
    if (token != JsonToken.VALUE_NUMBER_INT) {
      return false;
    }
    JsonParser.NumberType type = parser.getNumberType();
    return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG;
  }

  /**
   * Whether the bytes of an event are written as Jackson writes them: no whitespace between tokens,
   * only the escapes it uses ({@code \" \\ \n \t \r \b \f}, and {@code \}{@code u00XX} for the
   * other control characters), and well-formed UTF-8 (which decodes and re-encodes to the same
   * bytes).
   */
  static boolean canonicalText(byte[] value, int start, int end) {
    boolean inString = false;
    boolean ascii = true;
    for (int i = start; i < end; i++) {
      int b = value[i] & 0xff;
      if (inString) {
        if (b == '"') {
          inString = false;
        } else if (b == '\\') {
          i++;
          int escaped = i < end ? value[i] : -1;
          if (escaped == 'u') {
            if (!controlEscape(value, i + 1, end)) {
              return false;
            }
            i += 4;
          } else if (escaped != '"'
              && escaped != '\\'
              && escaped != 'n'
              && escaped != 't'
              && escaped != 'r'
              && escaped != 'b'
              && escaped != 'f') {
            return false;
          }
        } else if (b >= 0x80) {
          ascii = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
        return false;
      }
    }
    if (ascii) {
      return true;
    }
    try {
      // Strict: malformed sequences, overlong forms and encoded surrogates are refused.
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(value, start, end - start));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /**
   * Whether the four bytes at {@code from} are the hex digits of a {@code \\u} escape as Jackson
   * writes it: {@code 00} and two upper-case digits of a control character that has no short
   * escape.
   */
  private static boolean controlEscape(byte[] value, int from, int end) {
    if (from + 4 > end || value[from] != '0' || value[from + 1] != '0') {
      return false;
    }
    int high = value[from + 2];
    int low = value[from + 3];
    if ((high != '0' && high != '1')
        || !((low >= '0' && low <= '9') || (low >= 'A' && low <= 'F'))) {
      return false;
    }
    int c = (high - '0') * 16 + (low <= '9' ? low - '0' : low - 'A' + 10);
    return c != '\b' && c != '\t' && c != '\n' && c != '\f' && c != '\r';
  }

  /** One envelope as it is read, field by field. */
  private static final class Envelope {
    private boolean id;
    private String typeText;
    private EventType type;
    private String orgId;
    private String sessionId;
    private boolean ts;
    private boolean data;
    private Instant receivedAt;
    private Long seq;
    // A value the data binder might read differently than this scanner (or not at all).
    private boolean bad;
    // type, orgId or sessionId is there but not a string.
    private boolean stringBad;
    private boolean duplicate;
    private int seen;
    // Whether the text is the canonical encoding, as far as the fields tell (batch events).
    private boolean canonical = true;
    private int lastField = -1;
    private String json;

    /** Reads the value of {@code field}; the parser is at its first token. */
    void field(JsonParser parser, int field, JsonToken token, boolean checkText) {
      if (field == UNKNOWN || field > TIER) {
        // Ignored by the data binder, dropped by the canonical encoding.
        canonical = false;
        parser.skipChildren();
        return;
      }
      if ((seen & (1 << field)) != 0) {
        duplicate = true;
      }
      seen |= 1 << field;
      if (field <= lastField) {
        canonical = false;
      }
      lastField = field;
      if (token == JsonToken.VALUE_NULL) {
        // Nulls are left out of the canonical encoding; a required field must not be null.
        canonical = false;
        if (field <= TS || field == DATA) {
          bad = true;
          stringBad |= field == TYPE || field == ORG || field == SESSION;
        } else if (field == RECEIVED) {
          receivedAt = null;
        } else if (field == SEQ) {
          seq = null;
        }
        return;
      }
      switch (field) {
        case ID, AGENT, SOURCE -> {
          if (token != JsonToken.VALUE_STRING) {
            bad();
            parser.skipChildren();
          } else if (field == ID) {
            // Only its presence matters: the text is not needed.
            id = true;
          }
        }
        case TYPE, ORG, SESSION -> {
          if (token != JsonToken.VALUE_STRING) {
            bad();
            stringBad = true;
            parser.skipChildren();
            return;
          }
          String text = parser.getString();
          if (field == TYPE) {
            typeText = text;
            type = EventType.fromWireName(text).orElse(null);
          } else if (field == ORG) {
            orgId = text;
          } else {
            sessionId = text;
          }
        }
        case TS, RECEIVED -> {
          String text = token == JsonToken.VALUE_STRING ? parser.getString() : null;
          Instant instant = text == null ? null : IsoInstants.parseCanonical(text);
          if (instant == null) {
            bad();
            parser.skipChildren();
            return;
          }
          canonical &= !checkText || writtenAsJacksonWrites(text, instant);
          if (field == TS) {
            ts = true;
          } else {
            receivedAt = instant;
          }
        }
        case DATA -> {
          if (token != JsonToken.START_OBJECT) {
            bad();
            parser.skipChildren();
          } else if (checkText) {
            data = true;
            canonical &= canonicalData(parser);
          } else {
            data = true;
            parser.skipChildren();
          }
        }
        case SEQ -> {
          if (!isLong(parser, token)) {
            bad();
            parser.skipChildren();
            return;
          }
          seq = parser.getLongValue();
          canonical &= !checkText || Long.toString(seq).equals(parser.getString());
        }
        case TIER -> {
          if (token != JsonToken.VALUE_NUMBER_INT
              || parser.getNumberType() != JsonParser.NumberType.INT) {
            bad();
            parser.skipChildren();
            return;
          }
          canonical &=
              !checkText || Integer.toString(parser.getIntValue()).equals(parser.getString());
        }
        default -> throw new IllegalStateException("field " + field);
      }
    }

    private void bad() {
      bad = true;
    }

    /** Whether the envelope binds for certain: every required field once, every value typed. */
    boolean valid() {
      return !bad
          && !duplicate
          && id
          && type != null
          && orgId != null
          && sessionId != null
          && ts
          && data;
    }

    /**
     * Walks {@code data} (the parser is at its start) and says whether its tree re-encodes to the
     * same tokens: no duplicate names in an object (the tree keeps the last value at the first
     * one's place), integers other than {@code -0}, decimals written as {@link Double#toString}
     * writes their value.
     */
    private static boolean canonicalData(JsonParser parser) {
      boolean canonical = true;
      ArrayDeque<Set<String>> names = new ArrayDeque<>();
      names.push(new HashSet<>());
      int depth = 1;
      while (depth > 0) {
        JsonToken token = parser.nextToken();
        switch (token) {
          case START_OBJECT -> {
            depth++;
            names.push(new HashSet<>());
          }
          case START_ARRAY -> {
            depth++;
            // A placeholder: arrays have no names.
            names.push(Set.of());
          }
          case END_OBJECT, END_ARRAY -> {
            depth--;
            names.pop();
          }
          case PROPERTY_NAME -> canonical &= names.peek().add(parser.currentName());
          case VALUE_NUMBER_INT -> canonical &= !"-0".equals(parser.getString());
          case VALUE_NUMBER_FLOAT -> {
            String text = parser.getString();
            canonical &= Double.toString(Double.parseDouble(text)).equals(text);
          }
          default -> {
            // Strings, true, false, null: their text is checked byte by byte.
          }
        }
      }
      return canonical;
    }
  }

  /**
   * Whether {@code text}, read as {@code instant}, is how Jackson writes the instant: the fraction
   * left out when it is zero, else in groups of three digits, as few as needed.
   */
  private static boolean writtenAsJacksonWrites(String text, Instant instant) {
    int nanos = instant.getNano();
    int digits = nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
    return text.length() == (digits == 0 ? 20 : 21 + digits);
  }
}
