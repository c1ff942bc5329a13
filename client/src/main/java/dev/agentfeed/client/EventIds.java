package dev.agentfeed.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Event ids that make retries safe. Ingest stores an event id once per (org, session), so an event
 * must get its id when it is created, never per attempt: every retry of a batch then carries the
 * same ids and adds nothing. {@link #derived} goes further: the same parts always give the same id,
 * so a producer that restarts and reads its input again (a log file, a transcript) sends the same
 * ids again.
 */
public final class EventIds {

  private static final SecureRandom RANDOM = new SecureRandom();

  private EventIds() {}

  /** A new random id: {@code ev-} and 32 hex digits (128 random bits). */
  public static String random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "ev-" + HexFormat.of().formatHex(bytes);
  }

  /**
   * The same id for the same parts: {@code prefix-} and 40 hex digits of SHA-256 over the parts
   * (separated so that {@code ("ab","c")} and {@code ("a","bc")} differ).
   *
   * @param prefix a short tag of the producer, matching {@code [A-Za-z0-9._:-]{1,40}}
   */
  public static String derived(String prefix, String... parts) {
    if (prefix == null || !prefix.matches("[A-Za-z0-9._:-]{1,40}")) {
      throw new IllegalArgumentException(
          "an id prefix must match [A-Za-z0-9._:-]{1,40}, not '" + prefix + "'");
    }
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String part : parts) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) ':');
        digest.update(bytes);
      }
      return prefix + "-" + HexFormat.of().formatHex(digest.digest(), 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
