package dev.agentfeed.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentfeed.model.SessionRef;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CursorCodecTest {

  private static final String SESSION = CursorCodec.scopeOf(new SessionRef("org-a", "ses-1"));

  private final CursorCodec codec =
      new CursorCodec("a-cursor-key-of-at-least-32-bytes-0123".getBytes(StandardCharsets.UTF_8));

  @Test
  void shouldDecodeWhatItEncodedForTheSameSession() {
    String cursor = codec.encode(SESSION, positions(Map.of(3, 123_456_789_012L)));

    assertThat(codec.decode(SESSION, cursor)).isEqualTo(Map.of(3, 123_456_789_012L));
  }

  @Test
  void shouldDecodeEveryPartitionOfAnOrgWideCursor() {
    String scope = CursorCodec.orgScope("org-a");
    SortedMap<Integer, Long> positions = positions(Map.of(0, 5L, 1, 0L, 2, 17L, 5, 9L));

    assertThat(codec.decode(scope, codec.encode(scope, positions))).isEqualTo(positions);
  }

  @Test
  void shouldEncodeUrlSafely() {
    String cursor = codec.encode(SESSION, positions(Map.of(5, Long.MAX_VALUE, 6, 1L)));

    assertThat(cursor).matches("[A-Za-z0-9_-]+");
  }

  @Test
  void shouldRejectAnAlteredOffset() {
    String inside = inside(codec.encode(SESSION, positions(Map.of(3, 41L))));
    String altered = outside(inside.replace("v2.3:41.", "v2.3:42."));

    assertThatThrownBy(() -> codec.decode(SESSION, altered))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
  }

  @Test
  void shouldRejectACursorOfTheSameSessionIdInAnotherOrganisation() {
    String cursor = codec.encode(SESSION, positions(Map.of(3, 41L)));

    assertThatThrownBy(
            () -> codec.decode(CursorCodec.scopeOf(new SessionRef("org-b", "ses-1")), cursor))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("another session");
  }

  @Test
  void shouldRejectAnOrgWideCursorOfAnotherOrganisation() {
    String cursor = codec.encode(CursorCodec.orgScope("org-a"), positions(Map.of(0, 1L)));

    assertThatThrownBy(() -> codec.decode(CursorCodec.orgScope("org-b"), cursor))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void shouldRejectACursorMadeWithAnotherKey() {
    CursorCodec other =
        new CursorCodec("another-cursor-key-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(
            () -> codec.decode(SESSION, other.encode(SESSION, positions(Map.of(3, 41L)))))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void shouldRejectGarbageWithBadRequest() {
    for (String garbage :
        new String[] {
          "", "!!!", outside("v1.x.1.AAAA"), outside("v2.1.1.AA"), outside("v2.1:-1.AA")
        }) {
      assertThatThrownBy(() -> codec.decode(SESSION, garbage))
          .isInstanceOfSatisfying(
              ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
  }

  private static SortedMap<Integer, Long> positions(Map<Integer, Long> positions) {
    return new TreeMap<>(positions);
  }

  private static String inside(String cursor) {
    return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
  }

  private static String outside(String token) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(token.getBytes(StandardCharsets.US_ASCII));
  }
}
