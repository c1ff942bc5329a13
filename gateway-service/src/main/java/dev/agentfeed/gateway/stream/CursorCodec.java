package dev.agentfeed.gateway.stream;

import dev.agentfeed.model.SessionRef;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.SortedMap;
import java.util.StringJoiner;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Cursors: how far a subscription has got in {@code feed.live}, as an opaque URL-safe string.
 * Inside is, base64url-encoded, {@code v2.<partition>:<next offset>,….<mac>} for an org-wide
 * subscription: for every partition it reads, the offset of the next record it has not yet been
 * given; and {@code v3.<partition>:<next offset>.<last seq>.<mac>} for a subscription to one
 * session, which also carries the highest seq the subscription has passed on, so that a resume
 * drops exactly the events a re-run of an aborted processor transaction re-emits, however far back
 * that transaction began. The MAC (HMAC-SHA256, truncated to 96 bits) covers the body and the scope
 * the cursor was issued for ({@code org/session}, or {@code org/*} for an org-wide subscription),
 * so a client can neither forge a position nor carry a cursor to another session or organisation.
 * Cursors of earlier versions are still read: {@code v2} for a session (no seq: the resume relies
 * on the look-behind) and {@code v1.<partition>.<offset>.<mac>} (the offset of the last record
 * given).
 */
final class CursorCodec {

  private static final String VERSION = "v2";
  private static final String VERSION_SEQ = "v3";
  private static final String VERSION_1 = "v1";

  /** {@link Position#lastSeq()} of a cursor that carries none. */
  static final long NO_SEQ = -1;

  private static final int MAC_BYTES = 12;
  private static final int MAX_CURSOR_LENGTH = 8192;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  // Mac.getInstance and init cost more than the MAC of a short cursor; one Mac per thread.
  private final ThreadLocal<Mac> macs;

  CursorCodec(byte[] key) {
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** The scope of a subscription to one session. */
  static String scopeOf(SessionRef session) {
    return session.key();
  }

  /** The scope of an org-wide subscription; {@code *} never occurs in an id. */
  static String orgScope(String orgId) {
    return orgId + "/*";
  }

  /**
   * What a cursor names.
   *
   * @param nextOffsets the next offset per partition
   * @param lastSeq the highest seq the (single-session) subscription had passed on, or {@link
   *     #NO_SEQ}
   */
  record Position(SortedMap<Integer, Long> nextOffsets, long lastSeq) {}

  /** A cursor from the next offset per partition (an org-wide subscription's). */
  String encode(String scope, SortedMap<Integer, Long> nextOffsets) {
    return encodeBody(scope, body(nextOffsets));
  }

  /**
   * What an org-wide cursor says before it is sealed: equal bodies of one scope make equal cursors,
   * so subscribers that have been fed alike can share one.
   */
  static String body(SortedMap<Integer, Long> nextOffsets) {
    StringJoiner positions = new StringJoiner(",");
    nextOffsets.forEach((partition, offset) -> positions.add(partition + ":" + offset));
    return VERSION + "." + positions;
  }

  /** The cursor of a {@link #body}. */
  String encodeBody(String scope, String body) {
    return seal(body, scope);
  }

  /** A single-session subscription's cursor: its partition's next offset and its last seq. */
  String encode(String scope, int partition, long nextOffset, long lastSeq) {
    return seal(VERSION_SEQ + "." + partition + ":" + nextOffset + "." + lastSeq, scope);
  }

  private String seal(String body, String scope) {
    String token = body + "." + ENCODER.encodeToString(mac(body, scope));
    return ENCODER.encodeToString(token.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The next offset per partition that a cursor names.
   *
   * @throws ProtocolException {@code bad_request} when the cursor is malformed, altered, or was
   *     issued for another scope
   */
  SortedMap<Integer, Long> decode(String scope, String cursor) {
    return read(scope, cursor).nextOffsets();
  }

  /**
   * What a cursor names: the positions and, for a single-session cursor of the current version, the
   * last seq.
   *
   * @throws ProtocolException {@code bad_request} when the cursor is malformed, altered, or was
   *     issued for another scope
   */
  Position read(String scope, String cursor) {
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
    try {
      if (parts.length == 3 && VERSION.equals(parts[0])) {
        SortedMap<Integer, Long> positions = positions(parts[1]);
        verify(parts[0] + "." + parts[1], parts[2], scope);
        return new Position(positions, NO_SEQ);
      }
      if (parts.length == 4 && VERSION_SEQ.equals(parts[0])) {
        SortedMap<Integer, Long> positions = positions(parts[1]);
        long lastSeq = Long.parseLong(parts[2]);
        if (positions.size() != 1 || lastSeq < 0) {
          throw invalid("its format is unknown");
        }
        verify(parts[0] + "." + parts[1] + "." + parts[2], parts[3], scope);
        return new Position(positions, lastSeq);
      }
      if (parts.length == 4 && VERSION_1.equals(parts[0])) {
        int partition = Integer.parseInt(parts[1]);
        long offset = Long.parseLong(parts[2]);
        if (partition < 0 || offset < 0) {
          throw invalid("its format is unknown");
        }
        verify(parts[0] + "." + parts[1] + "." + parts[2], parts[3], scope);
        return new Position(new TreeMap<>(Map.of(partition, offset + 1)), NO_SEQ);
      }
    } catch (IllegalArgumentException e) {
      throw invalid("its format is unknown");
    }
    throw invalid("its format is unknown");
  }

  private static SortedMap<Integer, Long> positions(String text) {
    SortedMap<Integer, Long> positions = new TreeMap<>();
    for (String entry : text.split(",", -1)) {
      int colon = entry.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("not partition:offset");
      }
      int partition = Integer.parseInt(entry.substring(0, colon));
      long offset = Long.parseLong(entry.substring(colon + 1));
      if (partition < 0 || offset < 0 || positions.put(partition, offset) != null) {
        throw new IllegalArgumentException("bad position");
      }
    }
    return positions;
  }

  private void verify(String body, String macText, String scope) {
    byte[] mac = DECODER.decode(macText);
    if (!MessageDigest.isEqual(mac, mac(body, scope))) {
      throw invalid("it was altered or was issued for another session or organisation");
    }
  }

  private byte[] mac(String body, String scope) {
    Mac hmac = macs.get();
    hmac.update(body.getBytes(StandardCharsets.US_ASCII));
    hmac.update((byte) '|');
    hmac.update(scope.getBytes(StandardCharsets.UTF_8));
    // doFinal resets the Mac for the next use.
    return Arrays.copyOf(hmac.doFinal(), MAC_BYTES);
  }

  private Mac newMac() {
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(key);
      return hmac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static ProtocolException invalid(String why) {
    return new ProtocolException(
        ErrorCode.BAD_REQUEST,
        "the cursor is not valid: "
            + why
            + "; use a cursor from a frame of this subscription, \"beginning\" or \"live\"");
  }
}
