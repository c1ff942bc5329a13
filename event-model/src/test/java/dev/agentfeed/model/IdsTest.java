package dev.agentfeed.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void shouldAcceptExactlyWhatThePatternAccepts() {
    // Every character of the rule's edges and their neighbours, at every length around the limits.
    String alphabet = "aAzZ09._:-/ @[`{~\u00e9\u0130\u212a";
    Random random = new Random(42);
    List<String> ids = new ArrayList<>(List.of("", "a", "x".repeat(128), "x".repeat(129)));
    for (int n = 0; n < 20_000; n++) {
      int length = random.nextInt(131);
      StringBuilder id = new StringBuilder();
      for (int i = 0; i < length; i++) {
        // Mostly allowed characters, so that long valid ids occur too.
        id.append(
            random.nextInt(40) == 0 ? alphabet.charAt(random.nextInt(alphabet.length())) : 'k');
      }
      ids.add(id.toString());
    }
    for (char c = 0; c < 0x3000; c++) {
      ids.add("id" + c);
    }

    List<String> disagreements =
        ids.stream().filter(id -> Ids.isValid(id) != Ids.PATTERN.matcher(id).matches()).toList();

    assertThat(disagreements).isEmpty();
    assertThat(ids.stream().filter(Ids::isValid).count()).isBetween(1000L, 20_000L);
  }

  @Test
  void shouldRefuseNull() {
    assertThat(Ids.isValid(null)).isFalse();
  }
}
