package dev.agentfeed.model;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Reads the one instant form the pipeline writes ({@code 2026-01-30T12:00:00.123Z}: UTC, 0 to 9
 * fraction digits) without {@code DateTimeFormatter}, which cost the archiver a third of its
 * per-event parsing time and the stream processor half of its envelope parsing. Anything else is
 * left to the caller's full parser.
 */
public final class IsoInstants {

  private static final int[] SCALE = {
    1, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1
  };

  private IsoInstants() {}

  /**
   * @return the instant, or null when the text is not in the pipeline's form (it may still be an
   *     instant {@link Instant#parse} reads, such as one with an offset)
   */
  public static Instant parseCanonical(String text) {
    int length = text.length();
    if (length < 20
        || length == 21
        || length > 30
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':'
        || text.charAt(length - 1) != 'Z') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 7);
    int day = digits(text, 8, 10);
    int hour = digits(text, 11, 13);
    int minute = digits(text, 14, 16);
    int second = digits(text, 17, 19);
    int nanos = 0;
    if (length > 20) {
      nanos = text.charAt(19) == '.' ? digits(text, 20, length - 1) : -1;
      if (nanos > 0) {
        nanos *= SCALE[length - 21];
      }
    }
    if (year < 0
        || month < 0
        || day < 0
        || nanos < 0
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return null;
    }
    try {
      long days = LocalDate.of(year, month, day).toEpochDay();
      return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    } catch (DateTimeException e) {
      // Not a date (February 30th): the full parser says why.
      return null;
    }
  }

  /** The decimal number in {@code text[from, to)}, or -1 when a character is not a digit. */
  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
