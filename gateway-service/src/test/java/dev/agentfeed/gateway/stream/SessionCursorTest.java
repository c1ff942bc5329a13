package dev.agentfeed.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentfeed.model.SessionRef;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Single-session cursors carry the last seq passed on; cursors without one are still read. */
class SessionCursorTest {

  private static final String SESSION = CursorCodec.scopeOf(new SessionRef("org-a", "ses-1"));

  private final CursorCodec codec =
      new CursorCodec("a-cursor-key-of-at-least-32-bytes-0123".getBytes(StandardCharsets.UTF_8));

  @Test
  void shouldReadBackThePositionAndTheLastSeqOfASessionCursor() {
    String cursor = codec.encode(SESSION, 3, 41L, 17L);

    assertThat(codec.read(SESSION, cursor))
        .isEqualTo(new CursorCodec.Position(new TreeMap<>(Map.of(3, 41L)), 17L));
    assertThat(cursor).matches("[A-Za-z0-9_-]+");
  }

  @Test
  void shouldStillReadASessionCursorWithoutSeqAsOneWithoutSeq() {
    String previous = codec.encode(SESSION, new TreeMap<>(Map.of(3, 41L)));

    assertThat(codec.read(SESSION, previous))
        .isEqualTo(new CursorCodec.Position(new TreeMap<>(Map.of(3, 41L)), CursorCodec.NO_SEQ));
  }

  @Test
  void shouldRejectAnAlteredSeq() {
    String inside = inside(codec.encode(SESSION, 3, 41L, 17L));
    String altered = outside(inside.replace("v3.3:41.17.", "v3.3:41.7."));

    assertThatThrownBy(() -> codec.read(SESSION, altered))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
  }

  @Test
  void shouldRejectASessionCursorOfAnotherSession() {
    String cursor = codec.encode(SESSION, 3, 41L, 17L);

    assertThatThrownBy(
            () -> codec.read(CursorCodec.scopeOf(new SessionRef("org-a", "ses-2")), cursor))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("another session");
  }

  @Test
  void shouldRejectMalformedSeqCursorsWithBadRequest() {
    for (String garbage :
        new String[] {
          outside("v3.3:41.-1.AAAA"), outside("v3.3:41,4:2.5.AAAA"), outside("v3.3:41.x.AA")
        }) {
      assertThatThrownBy(() -> codec.read(SESSION, garbage))
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
