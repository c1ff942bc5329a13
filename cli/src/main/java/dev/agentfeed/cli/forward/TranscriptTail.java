package dev.agentfeed.cli.forward;

import dev.agentfeed.ingest.claudecode.ClaudeCodeTranscript;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads one growing transcript file a complete line at a time (a line still being written, with no
 * newline yet, waits for the next read) and converts the lines with the ingest service's own {@link
 * ClaudeCodeTranscript}, so a transcript forwarded from a file yields exactly the events of the
 * same transcript posted to {@code /v1/sessions/{id}/claude-code}.
 *
 * <p>The converter keeps state across lines (tool start times, streamed chunks, files touched) and
 * numbers lines without a {@code uuid}; after a restart the lines before the saved offset are
 * converted again and their events discarded, so that state and every later event id are the same
 * as in an uninterrupted run.
 */
final class TranscriptTail {

  /** Most bytes read at once; a single line longer than this is skipped as unreadable. */
  static final int MAX_READ = 16 * 1024 * 1024;

  private final Path file;
  private final ClaudeCodeTranscript transcript;
  private final JsonMapper json;
  private final Warnings warnings;
  private long position;
  private long lineNumber;

  /** Complete lines read: their events, and the offset after the last of them. */
  record Chunk(List<ObjectNode> events, long endOffset, int lines) {}

  TranscriptTail(Path file, ClaudeCodeTranscript transcript, JsonMapper json, Warnings warnings) {
    this.file = file;
    this.warnings = warnings;
    this.transcript = transcript;
    this.json = json;
  }

  long position() {
    return position;
  }

  /** Converts the lines before {@code offset} again, discarding their events. */
  void skipTo(long offset) throws IOException {
    while (position < offset) {
      Optional<Chunk> chunk = next(Integer.MAX_VALUE, offset);
      if (chunk.isEmpty()) {
        break;
      }
    }
  }

  /** The next at most {@code maxLines} complete lines, if there is one. */
  Optional<Chunk> next(int maxLines) throws IOException {
    return next(maxLines, Long.MAX_VALUE);
  }

  private Optional<Chunk> next(int maxLines, long limit) throws IOException {
    byte[] bytes;
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long available = Math.min(channel.size(), limit) - position;
      if (available <= 0) {
        return Optional.empty();
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(available, MAX_READ));
      channel.position(position);
      while (buffer.hasRemaining() && channel.read(buffer) > 0) {
        // read until the buffer is full or the file ends
      }
      bytes = new byte[buffer.position()];
      buffer.flip().get(bytes);
    }
    List<ObjectNode> events = new ArrayList<>();
    int start = 0;
    int lines = 0;
    for (int i = 0; i < bytes.length && lines < maxLines; i++) {
      if (bytes[i] == '\n') {
        convert(bytes, start, i, events);
        start = i + 1;
        lines++;
      }
    }
    if (lines == 0) {
      if (bytes.length == MAX_READ) {
        warnings.warn(
            "line "
                + (lineNumber + 1)
                + " of "
                + file
                + " is longer than "
                + MAX_READ
                + " bytes; skipped");
        position += bytes.length;
        return Optional.of(new Chunk(List.of(), position, 0));
      }
      return Optional.empty();
    }
    position += start;
    return Optional.of(new Chunk(events, position, lines));
  }

  private void convert(byte[] bytes, int from, int to, List<ObjectNode> events) {
    lineNumber++;
    int end = to > from && bytes[to - 1] == '\r' ? to - 1 : to;
    if (end == from) {
      return;
    }
    JsonNode line;
    try {
      line = json.readTree(new String(bytes, from, end - from, StandardCharsets.UTF_8));
    } catch (JacksonException e) {
      warnings.warn(
          "line "
              + lineNumber
              + " of "
              + file
              + " is not JSON, skipped: "
              + e.getOriginalMessage());
      return;
    }
    ClaudeCodeTranscript.LineResult result = transcript.line(line);
    if (result.error() != null) {
      warnings.warn("line " + lineNumber + " of " + file + " skipped: " + result.error());
    }
    events.addAll(result.events());
  }
}
