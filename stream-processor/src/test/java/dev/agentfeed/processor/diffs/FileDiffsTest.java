package dev.agentfeed.processor.diffs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FileDiffsTest {

  private final FileDiffs diffs = new FileDiffs(64);

  @Test
  void shouldDiffBeforeAndAfterWithThreeLinesOfContext() {
    String before = "a\nb\nc\nd\ne\nf\ng\nh\n";
    String after = "a\nb\nc\nd\nE\nf\ng\nh\ni\n";

    FileDiffs.Diff diff = diffs.between("src/x.txt", before, after);

    String expected =
        """
        --- src/x.txt
        +++ src/x.txt
        @@ -2,7 +2,8 @@
         b
         c
         d
        -e
        +E
         f
         g
         h
        +i
        """;
    assertThat(diff).isEqualTo(new FileDiffs.Diff(expected, expected, 2, 1));
  }

  @Test
  void shouldLabelMissingSideOfCreatedFileDevNull() {
    FileDiffs.Diff diff = diffs.between("new.txt", null, "one\ntwo\n");

    String expected =
        """
        --- /dev/null
        +++ new.txt
        @@ -0,0 +1,2 @@
        +one
        +two
        """;
    assertThat(diff).isEqualTo(new FileDiffs.Diff(expected, expected, 2, 0));
  }

  @Test
  void shouldCountReadyDiffWithoutItsFileHeaders() {
    String ready =
        """
        --- a/x
        +++ b/x
        @@ -1,2 +1,2 @@
        --- old rule
        +++ new rule
         same
        """;

    assertThat(diffs.ofReady(ready)).isEqualTo(new FileDiffs.Diff(ready, ready, 1, 1));
  }

  @Test
  void shouldCutPreviewAtHundredLinesWithMarker() {
    String diff = lines(150, "+line ");

    String preview = FileDiffs.preview(diff);

    assertThat(preview).isEqualTo(lines(99, "+line ") + "… 51 more lines\n");
  }

  @Test
  void shouldCutPreviewAtFiveKilobytesWithMarker() {
    String line = "+" + "x".repeat(99);
    String diff = IntStream.range(0, 60).mapToObj(i -> line + "\n").collect(Collectors.joining());

    String preview = FileDiffs.preview(diff);

    // 50 lines of 101 bytes leave the marker room under 5120 bytes; 51 would not.
    String kept = IntStream.range(0, 50).mapToObj(i -> line + "\n").collect(Collectors.joining());
    assertThat(preview).isEqualTo(kept + "… 10 more lines\n");
    assertThat(preview.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(5120);
  }

  @Test
  void shouldSkipContentWithNulBytesAsBinary() {
    assertThat(diffs.skipReason("PNG\0\1")).isEqualTo("binary");
  }

  @Test
  void shouldSkipContentOverTheLimitAsTooLarge() {
    assertThat(diffs.skipReason("é".repeat(33))).isEqualTo("too large");
  }

  @Test
  void shouldDiffContentAtTheLimit() {
    assertThat(diffs.skipReason("é".repeat(32))).isNull();
  }

  private static String lines(int count, String prefix) {
    return IntStream.range(0, count).mapToObj(i -> prefix + i + "\n").collect(Collectors.joining());
  }
}
