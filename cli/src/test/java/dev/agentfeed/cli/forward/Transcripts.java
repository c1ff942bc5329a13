package dev.agentfeed.cli.forward;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.IntStream;

/** Claude Code stream-json lines for the forwarder tests: one user message per line. */
final class Transcripts {

  private Transcripts() {}

  static String userLine(int n) {
    return "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"line "
        + n
        + "\"},\"uuid\":\"u-"
        + n
        + "\",\"session_id\":\"claude-1\"}";
  }

  /** The texts the lines {@code from} (inclusive) to {@code to} (exclusive) carry. */
  static List<String> texts(int from, int to) {
    return IntStream.range(from, to).mapToObj(n -> "line " + n).toList();
  }

  /** Appends the lines {@code from} to {@code to}, each with its newline. */
  static void append(Path file, int from, int to) throws IOException {
    StringBuilder text = new StringBuilder();
    IntStream.range(from, to).forEach(n -> text.append(userLine(n)).append('\n'));
    append(file, text.toString());
  }

  static void append(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        text,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
  }
}
