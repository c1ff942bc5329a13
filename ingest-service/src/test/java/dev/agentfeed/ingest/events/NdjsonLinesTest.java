package dev.agentfeed.ingest.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NdjsonLinesTest {

  /** Each line as its text, or as "too large: N" when it was over the limit. */
  private static List<String> lines(InputStream body, long maxLineBytes) throws IOException {
    NdjsonLines lines = new NdjsonLines(body, maxLineBytes);
    List<String> read = new ArrayList<>();
    for (NdjsonLines.Line line = lines.next(); line != null; line = lines.next()) {
      read.add(
          line.tooLarge()
              ? "too large: " + line.size()
              : new String(line.bytes(), StandardCharsets.UTF_8));
    }
    return read;
  }

  private static InputStream body(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Hands out one byte per read, as a slow sandbox would. */
  private static InputStream trickle(String text) {
    InputStream all = body(text);
    return new InputStream() {
      @Override
      public int read() throws IOException {
        return all.read();
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        return all.read(buffer, offset, Math.min(1, length));
      }
    };
  }

  @Test
  void shouldSplitOnLfAndCrLfAndKeepBlankLinesAndALastLineWithoutBreak() throws IOException {
    assertThat(lines(body("{\"a\":1}\r\n\n{\"b\":2}\n{\"c\":3}"), 100))
        .isEqualTo(List.of("{\"a\":1}", "", "{\"b\":2}", "{\"c\":3}"));
  }

  @Test
  void shouldReportALineOverTheLimitBySizeAndReadOnAfterIt() throws IOException {
    String large = "x".repeat(20_000);

    assertThat(lines(body("{}\n" + large + "\n{}\n"), 10_000))
        .isEqualTo(List.of("{}", "too large: 20000", "{}"));
  }

  @Test
  void shouldKeepALineOfExactlyTheLimitEvenWithACarriageReturn() throws IOException {
    String exact = "y".repeat(10);

    assertThat(lines(body(exact + "\r\n" + exact + "z\n"), 10))
        .isEqualTo(List.of(exact, "too large: 11"));
  }

  @Test
  void shouldReadTheSameLinesWhenTheBodyArrivesByteByByte() throws IOException {
    String text = "{\"a\":1}\n\n" + "x".repeat(50) + "\n{\"b\":2}";

    assertThat(lines(trickle(text), 20)).isEqualTo(lines(body(text), 20));
  }

  @Test
  void shouldReadNoLineFromAnEmptyBody() throws IOException {
    assertThat(lines(body(""), 10)).isEmpty();
  }
}
