package dev.agentfeed.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentfeed.gateway.feed.FeedRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

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

  private static FeedRecord.Item item(String type, long seq) {
    return new FeedRecord.Item(type, seq, null, "{}");
  }
}
