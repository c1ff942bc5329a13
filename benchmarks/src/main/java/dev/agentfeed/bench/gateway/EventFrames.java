package dev.agentfeed.bench.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * Reads what the benchmark needs from a server frame straight from its bytes, without decoding it
 * to a String or parsing the JSON: a full parse per frame would make the clients, on the gateway's
 * cores, the bottleneck. The field names are ASCII, so their UTF-8 bytes are matched as they are; a
 * text field in the event cannot fake them, since JSON escapes its quotes.
 */
final class EventFrames {

  private static final byte[] SUBSCRIBED = ascii("{\"op\":\"subscribed\"");
  private static final byte[] EVENT = ascii("{\"op\":\"event\"");
  private static final byte[] RECEIVED_AT = ascii("\"receivedAt\":\"");
  private static final byte[] SEQ = ascii("\"seq\":");

  private EventFrames() {}

  /** The two fields of an event frame the benchmark checks. */
  record Fields(long receivedAtMicros, long seq) {}

  static boolean isSubscribed(ByteBuf frame) {
    return startsWith(frame, SUBSCRIBED);
  }

  static boolean isEvent(ByteBuf frame) {
    return startsWith(frame, EVENT);
  }

  /**
   * The event's {@code receivedAt} (in microseconds since the epoch) and {@code seq}; null when
   * either is missing or unreadable, or when the frame is not UTF-8 (RFC 6455 text). Both follow
   * the event's data, near the end of the frame, so the search starts from there. Reads a heap
   * buffer's array in place (the benchmark's frames are on the heap); a direct buffer is copied.
   */
  static Fields fields(ByteBuf frame) {
    if (frame.hasArray()) {
      int from = frame.arrayOffset() + frame.readerIndex();
      return fields(frame.array(), from, from + frame.readableBytes());
    }
    byte[] copy = ByteBufUtil.getBytes(frame);
    return fields(copy, 0, copy.length);
  }

  /** As {@link #fields(ByteBuf)}, on {@code text[from, to)}. */
  static Fields fields(byte[] text, int from, int to) {
    if (!isUtf8(text, from, to)) {
      return null;
    }
    int at = lastIndexOf(text, from, to, RECEIVED_AT);
    if (at < 0) {
      return null;
    }
    long receivedAtMicros = parseInstantMicros(text, at + RECEIVED_AT.length, to);
    int seqAt = indexOf(text, at, to, SEQ);
    if (receivedAtMicros < 0 || seqAt < 0) {
      return null;
    }
    long seq = parseLong(text, seqAt + SEQ.length, to);
    return seq < 0 ? null : new Fields(receivedAtMicros, seq);
  }

  /**
   * An ISO-8601 UTC instant as Jackson writes it ({@code 2026-11-24T06:11:18.016123Z}, fraction
   * optional, digits past the microsecond dropped) at {@code text[at]}, ending before {@code end},
   * in microseconds since the epoch, without {@code Instant.parse}'s formatter; -1 when it is not
   * one.
   */
  static long parseInstantMicros(byte[] text, int at, int end) {
    if (end < at + 20
        || text[at + 4] != '-'
        || text[at + 7] != '-'
        || text[at + 10] != 'T'
        || text[at + 13] != ':'
        || text[at + 16] != ':') {
      return -1;
    }
    long year = digits(text, at, 4);
    long month = digits(text, at + 5, 2);
    long dayOfMonth = digits(text, at + 8, 2);
    long hours = digits(text, at + 11, 2);
    long minutes = digits(text, at + 14, 2);
    long secs = digits(text, at + 17, 2);
    if ((year | month | dayOfMonth | hours | minutes | secs) < 0) {
      return -1;
    }
    long day;
    try {
      day = LocalDate.of((int) year, (int) month, (int) dayOfMonth).toEpochDay();
    } catch (DateTimeException e) {
      return -1;
    }
    long seconds = day * 86_400 + hours * 3600 + minutes * 60 + secs;
    long micros = 0;
    int i = at + 19;
    if (text[i] == '.') {
      int scale = 100_000;
      for (i++; i < end && isDigit(text[i]); i++) {
        micros += (text[i] - '0') * scale;
        scale /= 10;
      }
    }
    return i < end && text[i] == 'Z' ? seconds * 1_000_000 + micros : -1;
  }

  /** The unsigned decimal at {@code text[at]}, ending before {@code end}; -1 when no digit. */
  static long parseLong(byte[] text, int at, int end) {
    if (at >= end || !isDigit(text[at])) {
      return -1;
    }
    long value = 0;
    for (int i = at; i < end && isDigit(text[i]); i++) {
      value = value * 10 + (text[i] - '0');
    }
    return value;
  }

  private static long digits(byte[] text, int at, int count) {
    long value = 0;
    for (int i = at; i < at + count; i++) {
      if (!isDigit(text[i])) {
        return -1;
      }
      value = value * 10 + (text[i] - '0');
    }
    return value;
  }

  /**
   * Whether {@code text[from, to)} is UTF-8. ASCII is skipped a byte at a time without a table
   * (Netty's validator looks each byte up in a state table, a third of the clients' CPU); from the
   * first other byte on the JDK's decoder checks.
   */
  static boolean isUtf8(byte[] text, int from, int to) {
    for (int i = from; i < to; i++) {
      if (text[i] < 0) {
        try {
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(text, i, to - i));
          return true;
        } catch (CharacterCodingException e) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  private static boolean startsWith(ByteBuf text, byte[] prefix) {
    int start = text.readerIndex();
    if (text.readableBytes() < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (text.getByte(start + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** The index of the first {@code needle} in {@code text[from, to)}; -1 if none. */
  private static int indexOf(byte[] text, int from, int to, byte[] needle) {
    for (int i = from; i <= to - needle.length; i++) {
      if (matches(text, i, needle)) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the last {@code needle} in {@code text[from, to)}; -1 if none. */
  private static int lastIndexOf(byte[] text, int from, int to, byte[] needle) {
    for (int i = to - needle.length; i >= from; i--) {
      if (matches(text, i, needle)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean matches(byte[] text, int at, byte[] needle) {
    for (int j = 0; j < needle.length; j++) {
      if (text[at + j] != needle[j]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
