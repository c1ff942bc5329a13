package dev.agentfeed.ingest.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StreamedTextRedactionTest {

  private final List<String> counted = new ArrayList<>();
  private final SecretRedactor redactor = new SecretRedactor(Map.of(), counted::add);

  /** Texts with a secret, each inside a sentence as an agent would write it. */
  static Stream<Arguments> textsWithSecrets() {
    List<String> texts = new ArrayList<>();
    PlantedSecrets.everyKind().values().forEach(text -> texts.add("Run `" + text + "` now.\n"));
    texts.add("Set DB_PASSWORD='correct horse battery' and restart.");
    texts.add("In Java: String password = \"correct horse battery\"; then build.");
    texts.add("The config reads {\"api_key\": \"abc def ghi 123\", \"debug\": true} today.");
    texts.add("Two keys: " + PlantedSecrets.ANTHROPIC + " and " + PlantedSecrets.GITHUB + ".");
    texts.add("The key was\n" + PlantedSecrets.PEM + "\nand it is now revoked.");
    return texts.stream()
        .flatMap(text -> Stream.of(1, 2, 3, 7).map(size -> Arguments.of(text, size)));
  }

  @ParameterizedTest(name = "[{index}] pieces of {1}")
  @MethodSource("textsWithSecrets")
  void shouldRedactASecretSplitOverPiecesAsTheWholeTextWouldBe(String text, int pieceSize) {
    String streamed = stream(pieces(text, pieceSize));

    assertThat(streamed).isEqualTo(redactor.redact(text)).contains("[REDACTED:");
  }

  @Test
  void shouldRedactTextSplitAtRandomPlacesAsTheWholeTextWouldBe() {
    StringBuilder whole = new StringBuilder();
    PlantedSecrets.everyKind().values().forEach(text -> whole.append(text).append(" then "));
    PlantedSecrets.lookAlikes().forEach(text -> whole.append(text).append('\n'));
    String text = whole.toString();
    Random random = new Random(42);
    for (int run = 0; run < 20; run++) {
      List<String> pieces = new ArrayList<>();
      for (int at = 0; at < text.length(); ) {
        int end = Math.min(text.length(), at + 1 + random.nextInt(12));
        pieces.add(text.substring(at, end));
        at = end;
      }

      assertThat(stream(pieces)).as("run %d", run).isEqualTo(redactor.redact(text));
    }
  }

  @Test
  void shouldHoldBackOnlyTheWordStillBeingWritten() {
    StreamedTextRedaction stream = new StreamedTextRedaction(redactor);

    assertThat(stream.append("The fix is in pla")).isEqualTo("The fix is in ");
    assertThat(stream.append("ce. Tests")).isEqualTo("place. ");
    assertThat(stream.append(" pass.\n")).isEqualTo("Tests pass.\n");
    assertThat(stream.finish()).isEmpty();
  }

  @Test
  void shouldHoldAnAssignmentUntilItsQuotedValueEnds() {
    StreamedTextRedaction stream = new StreamedTextRedaction(redactor);

    assertThat(stream.append("Use password = ")).isEqualTo("Use ");
    assertThat(stream.append("'two words")).isEmpty();
    assertThat(stream.append(" here' to log in"))
        .isEqualTo("password = [REDACTED:secret-assignment] to log ");
    assertThat(stream.finish()).isEqualTo("in");
    assertThat(counted).containsExactly("secret-assignment");
  }

  @Test
  void shouldHoldAPrivateKeyBlockUntilItsEnd() {
    StreamedTextRedaction stream = new StreamedTextRedaction(redactor);

    assertThat(stream.append("Key:\n-----BEGIN RSA PRIVATE KEY-----\n")).isEqualTo("Key:\n");
    assertThat(stream.append(PlantedSecrets.PEM_BODY + "\n")).isEmpty();
    assertThat(stream.append("-----END RSA PRIVATE KEY----- done\n"))
        .isEqualTo("[REDACTED:private-key] done\n");
  }

  @Test
  void shouldReplaceAPrivateKeyThatNeverEndsUpToTheEndOfTheText() {
    StreamedTextRedaction stream = new StreamedTextRedaction(redactor);
    String streamed =
        stream.append("Key:\n-----BEGIN PRIVATE KEY-----\n")
            + stream.append(PlantedSecrets.PEM_BODY + "\n")
            + stream.finish();

    assertThat(streamed).isEqualTo("Key:\n[REDACTED:private-key]");
  }

  @Test
  void shouldLetGoOfTheOldestHeldCharactersBeyondTheLimit() {
    StreamedTextRedaction stream = new StreamedTextRedaction(redactor);
    String run = "a".repeat(StreamedTextRedaction.MAX_HELD + 5_000);
    StringBuilder out = new StringBuilder();
    for (int at = 0; at < run.length(); at += 100) {
      out.append(stream.append(run.substring(at, Math.min(run.length(), at + 100))));
    }

    assertThat(out.length()).isEqualTo(run.length() - StreamedTextRedaction.MAX_HELD);
    assertThat(out.append(stream.finish()).toString()).isEqualTo(run);
  }

  @Test
  void shouldCountEachSecretOnceWhenItIsReplaced() {
    stream(pieces("a " + PlantedSecrets.GITHUB + " and " + PlantedSecrets.JWT + " end", 3));

    assertThat(counted).containsExactly("github-token", "jwt");
  }

  private String stream(List<String> pieces) {
    StreamedTextRedaction stream = new StreamedTextRedaction(redactor);
    StringBuilder out = new StringBuilder();
    pieces.forEach(piece -> out.append(stream.append(piece)));
    return out.append(stream.finish()).toString();
  }

  private static List<String> pieces(String text, int size) {
    List<String> pieces = new ArrayList<>();
    for (int at = 0; at < text.length(); at += size) {
      pieces.add(text.substring(at, Math.min(text.length(), at + size)));
    }
    return pieces;
  }
}
