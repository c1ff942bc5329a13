package dev.agentfeed.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentfeed.gateway.feed.FeedRecord;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TypeFilterTest {

  @Test
  void shouldMatchAWildcardAgainstEveryTypeOfItsDomain() {
    TypeFilter filter = TypeFilter.of(List.of("tool.*"));

    assertThat(
            List.of("tool.started", "tool.completed", "tool.failed", "file.edited", "log").stream()
                .filter(filter::matches)
                .toList())
        .containsExactly("tool.started", "tool.completed", "tool.failed");
  }

  @Test
  void shouldKeepOnlyTheMatchingEventsOfABatchInOrder() {
    TypeFilter filter = TypeFilter.of(List.of("log", "session.*"));
    List<FeedRecord.Item> batch =
        List.of(item("tool.started", 1), item("log", 2), item("session.progress", 3));

    assertThat(filter.select(batch)).containsExactly(item("log", 2), item("session.progress", 3));
  }

  @Test
  void shouldRejectAPatternThatMatchesNoEventType() {
    assertThatThrownBy(() -> TypeFilter.of(List.of("tools.*")))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
        .hasMessageContaining("matches no event type");
  }

  @Test
  void shouldRejectAPatternWithCharactersNoTypeHas() {
    assertThatThrownBy(() -> TypeFilter.of(List.of("tool.(started)")))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void shouldMatchWildcardsAnywhereInAType() {
    List<String> cases =
        List.of("*", "*.*", "t*l.*ed", "*ed", "tool.*", "*.started", "**e*d**", "tool.x*");

    assertThat(cases.stream().map(p -> p + "=" + TypeFilter.wildcardMatch(p, "tool.started")))
        .containsExactly(
            "*=true",
            "*.*=true",
            "t*l.*ed=true",
            "*ed=true",
            "tool.*=true",
            "*.started=true",
            "**e*d**=true",
            "tool.x*=false");
  }

  @Test
  @Timeout(30) // a guard: the backtracking regex did not fail, it hung
  void shouldRefuseManyStarredPatternsAtOnceRatherThanBacktrack() {
    // As a backtracking regex, one such pattern took over a minute against one type name.
    String starred = "*".repeat(20) + "m" + "*".repeat(20) + "q";
    List<String> patterns = Collections.nCopies(64, starred);

    assertThatThrownBy(() -> TypeFilter.of(patterns))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("matches no event type");
  }

  @Test
  void shouldPassATypeThisGatewayDoesNotKnowOnlyWhenAPatternMatchesIt() {
    TypeFilter filter = TypeFilter.of(List.of("tool.*"));

    assertThat(List.of("tool.retried", "agent.spawned").stream().filter(filter::matches).toList())
        .containsExactly("tool.retried");
  }

  private static FeedRecord.Item item(String type, long seq) {
    return new FeedRecord.Item(type, seq, null, "{}");
  }
}
