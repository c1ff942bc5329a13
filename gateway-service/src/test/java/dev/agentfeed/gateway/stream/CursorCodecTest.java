package dev.agentfeed.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentfeed.model.SessionRef;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CursorCodecTest {

  private static final SessionRef SESSION = new SessionRef("org-a", "ses-1");

  private final CursorCodec codec =
      new CursorCodec("a-cursor-key-of-at-least-32-bytes-0123".getBytes(StandardCharsets.UTF_8));

  @Test
  void shouldDecodeWhatItEncodedForTheSameSession() {
    String cursor = codec.encode(SESSION, 3, 123_456_789_012L);

    assertThat(codec.decode(SESSION, cursor))
        .isEqualTo(new CursorCodec.Position(3, 123_456_789_012L));
  }

  @Test
  void shouldEncodeUrlSafely() {
    String cursor = codec.encode(SESSION, 5, Long.MAX_VALUE);

    assertThat(cursor).matches("[A-Za-z0-9_-]+");
  }

  @Test
  void shouldRejectAnAlteredOffset() {
    String inside = inside(codec.encode(SESSION, 3, 41));
    String altered = outside(inside.replace("v1.3.41.", "v1.3.42."));

    assertThatThrownBy(() -> codec.decode(SESSION, altered))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
  }

  @Test
  void shouldRejectACursorOfTheSameSessionIdInAnotherOrganisation() {
    String cursor = codec.encode(SESSION, 3, 41);

    assertThatThrownBy(() -> codec.decode(new SessionRef("org-b", "ses-1"), cursor))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("another session");
  }

  @Test
  void shouldRejectACursorMadeWithAnotherKey() {
    CursorCodec other =
        new CursorCodec("another-cursor-key-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> codec.decode(SESSION, other.encode(SESSION, 3, 41)))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void shouldRejectGarbageWithBadRequest() {
    for (String garbage : new String[] {"", "!!!", outside("v1.x.1.AAAA"), outside("v2.1.1.AA")}) {
      assertThatThrownBy(() -> codec.decode(SESSION, garbage))
          .isInstanceOfSatisfying(
              ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
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
