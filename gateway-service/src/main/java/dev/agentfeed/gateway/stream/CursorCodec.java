package dev.agentfeed.gateway.stream;

import dev.agentfeed.model.SessionRef;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Cursors: where an event frame's record is in {@code feed.live}, as an opaque URL-safe string.
 * Inside is {@code v1.<partition>.<offset>.<mac>}, base64url-encoded; the MAC (HMAC-SHA256,
 * truncated to 96 bits) covers the position and the (org, session) the cursor was issued for, so a
 * client can neither forge a position nor carry a cursor to another session.
 */
final class CursorCodec {

  private static final String VERSION = "v1";
  private static final int MAC_BYTES = 12;
  private static final int MAX_CURSOR_LENGTH = 128;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;

  CursorCodec(byte[] key) {
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
  }

  /** The position a cursor names. */
  record Position(int partition, long offset) {}

  String encode(SessionRef session, int partition, long offset) {
    String body = VERSION + "." + partition + "." + offset;
    String token = body + "." + ENCODER.encodeToString(mac(body, session));
    return ENCODER.encodeToString(token.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * @throws ProtocolException {@code bad_request} when the cursor is malformed, altered, or was
   *     issued for another session
   */
  Position decode(SessionRef session, String cursor) {
    if (cursor.length() > MAX_CURSOR_LENGTH) {
      throw invalid("it is too long");
    }
    String token;
    try {
      token = new String(DECODER.decode(cursor), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw invalid("it is not base64url");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 4 || !VERSION.equals(parts[0])) {
      throw invalid("its format is unknown");
    }
    int partition;
    long offset;
    byte[] mac;
    try {
      partition = Integer.parseInt(parts[1]);
      offset = Long.parseLong(parts[2]);
      mac = DECODER.decode(parts[3]);
    } catch (IllegalArgumentException e) {
      throw invalid("its format is unknown");
    }
    String body = parts[0] + "." + parts[1] + "." + parts[2];
    if (partition < 0 || offset < 0 || !MessageDigest.isEqual(mac, mac(body, session))) {
      throw invalid("it was altered or was issued for another session");
    }
    return new Position(partition, offset);
  }

  private byte[] mac(String body, SessionRef session) {
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(key);
      hmac.update(body.getBytes(StandardCharsets.US_ASCII));
      hmac.update((byte) '|');
      hmac.update(session.key().getBytes(StandardCharsets.UTF_8));
      return Arrays.copyOf(hmac.doFinal(), MAC_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static ProtocolException invalid(String why) {
    return new ProtocolException(
        ErrorCode.BAD_REQUEST,
        "the cursor is not valid: "
            + why
            + "; use a cursor from an event frame of this session, \"beginning\" or \"live\"");
  }
}
