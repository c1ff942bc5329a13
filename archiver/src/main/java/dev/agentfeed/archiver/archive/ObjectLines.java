package dev.agentfeed.archiver.archive;

import dev.agentfeed.model.IsoInstants;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The events of a gzip JSON-lines object read back from S3, line by line with the line's bytes
 * untouched. Only {@code seq}, {@code ts} and {@code agentId} are parsed (with a streaming parser
 * that skips everything else), which is all compaction needs.
 */
final class ObjectLines implements Iterator<EventLine>, AutoCloseable {

  private static final int BUFFER_BYTES = 64 * 1024;

  private final InputStream in;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private int position;
  private int limit;
  private final JsonMapper mapper;
  private final String key;
  private EventLine next;
  private boolean done;

  ObjectLines(InputStream gzipped, JsonMapper mapper, String key) {
    try {
      this.in = new GZIPInputStream(gzipped, BUFFER_BYTES);
    } catch (IOException e) {
      throw new UncheckedIOException(key + " is not a gzip object", e);
    }
    this.mapper = mapper;
    this.key = key;
  }

  @Override
  public boolean hasNext() {
    if (next == null && !done) {
      byte[] line = readLine();
      if (line == null) {
        done = true;
      } else {
        next = parse(line);
      }
    }
    return next != null;
  }

  @Override
  public EventLine next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    EventLine value = next;
    next = null;
    return value;
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + key, e);
    }
  }

  /**
   * The next line without its {@code \n}, or null at the end. Scans its own buffer rather than
   * reading byte by byte: a 100,000-event replay has 100 MB of lines.
   */
  private byte[] readLine() {
    ByteArrayOutputStream partial = null;
    try {
      while (true) {
        if (position == limit) {
          limit = in.read(buffer, 0, buffer.length);
          position = 0;
          if (limit < 0) {
            limit = 0;
            return partial == null || partial.size() == 0 ? null : partial.toByteArray();
          }
        }
        for (int i = position; i < limit; i++) {
          if (buffer[i] == '\n') {
            byte[] line;
            if (partial == null) {
              line = Arrays.copyOfRange(buffer, position, i);
            } else {
              partial.write(buffer, position, i - position);
              line = partial.toByteArray();
            }
            position = i + 1;
            return line;
          }
        }
        if (partial == null) {
          partial = new ByteArrayOutputStream(2 * (limit - position) + 64);
        }
        partial.write(buffer, position, limit - position);
        position = limit;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + key, e);
    }
  }

  private EventLine parse(byte[] line) {
    long seq = -1;
    Instant ts = null;
    String agentId = null;
    try (JsonParser parser = mapper.createParser(line)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalStateException(key + " holds a line that is not a JSON object");
      }
      while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (name) {
          case "seq" -> seq = value == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : -1;
          case "ts" -> ts = value == JsonToken.VALUE_STRING ? instant(parser.getString()) : null;
          case "agentId" -> agentId = value == JsonToken.VALUE_STRING ? parser.getString() : null;
          default -> parser.skipChildren();
        }
      }
    } catch (DateTimeParseException e) {
      throw new IllegalStateException(key + " holds an event with an invalid ts", e);
    }
    if (seq < 1) {
      throw new IllegalStateException(key + " holds an event without seq");
    }
    return new EventLine(seq, ts, agentId, line);
  }

  private static Instant instant(String text) {
    Instant canonical = IsoInstants.parseCanonical(text);
    return canonical != null ? canonical : Instant.parse(text);
  }
}
