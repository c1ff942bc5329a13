package dev.agentfeed.ingest.events;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads an NDJSON body one line at a time as it arrives. A line longer than the event limit is not
 * kept in memory: it is skipped to its end and reported with its size only.
 */
final class NdjsonLines {

  /**
   * One line without its line break; {@code bytes} is null when the line was longer than the limit.
   */
  record Line(byte[] bytes, long size) {

    boolean tooLarge() {
      return bytes == null;
    }

    boolean isBlank() {
      if (bytes == null) {
        return false;
      }
      for (byte b : bytes) {
        if (b != ' ' && b != '\t' && b != '\r') {
          return false;
        }
      }
      return true;
    }
  }

  private final InputStream in;
  private final long maxLineBytes;
  private final byte[] buffer = new byte[8192];
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private int position;
  private int end;

  NdjsonLines(InputStream in, long maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** The next line, or null at the end of the body. */
  Line next() throws IOException {
    line.reset();
    long size = 0;
    boolean started = false;
    while (true) {
      if (position == end) {
        int n = in.read(buffer);
        if (n < 0) {
          return started ? finish(size) : null;
        }
        position = 0;
        end = n;
        continue;
      }
      started = true;
      int newline = indexOfNewline();
      int stop = newline < 0 ? end : newline;
      int length = stop - position;
      size += length;
      if (size <= maxLineBytes + 1) {
        // One byte over the limit is kept so that a trailing carriage return can still be cut.
        line.write(buffer, position, length);
      }
      position = newline < 0 ? end : newline + 1;
      if (newline >= 0) {
        return finish(size);
      }
    }
  }

  private int indexOfNewline() {
    for (int i = position; i < end; i++) {
      if (buffer[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private Line finish(long size) {
    if (size > maxLineBytes + 1) {
      return new Line(null, size);
    }
    byte[] bytes = line.toByteArray();
    if (bytes.length > 0 && bytes[bytes.length - 1] == '\r') {
      bytes = Arrays.copyOf(bytes, bytes.length - 1);
    }
    return bytes.length > maxLineBytes
        ? new Line(null, bytes.length)
        : new Line(bytes, bytes.length);
  }
}
