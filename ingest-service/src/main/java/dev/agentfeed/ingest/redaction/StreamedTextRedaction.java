package dev.agentfeed.ingest.redaction;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redacts one text that arrives in pieces, such as a message streamed a few characters at a time,
 * so that a secret split over several pieces is still replaced. Redacting each piece on its own
 * cannot do that: a key streamed as {@code "sk-ant-api03-"}, {@code "x7Yq…"} matches in neither.
 *
 * <p>Each {@link #append} returns the part of the text that can go out now, redacted with the text
 * before it as context, and holds back the tail that may still grow into a secret:
 *
 * <ul>
 *   <li>the trailing run of non-whitespace characters (tokens, keys, JWTs, URLs with a password,
 *       {@code password=…}: every secret without a space in it);
 *   <li>an assignment to a secret-like name whose value has not ended yet ({@code password = "a b},
 *       {@code "api_key": "…});
 *   <li>a {@code -----BEGIN} block without its {@code -----END} (private keys span lines);
 *   <li>any secret found that runs into the held tail or to the end of the text.
 * </ul>
 *
 * <p>At most {@link #MAX_HELD} characters are held: beyond that the oldest go out, redacted with
 * what is known (an unterminated private key is replaced up to the end of the text). {@link
 * #finish} returns the rest. Concatenating everything returned gives the text as {@link
 * SecretRedactor#redact(String)} would give it whole, except that a secret whose start went out
 * before it was recognisable as one stays cut where it was cut, its rest replaced by a marker.
 *
 * <p>Not thread-safe: one instance per streamed text.
 */
public final class StreamedTextRedaction {

  /** Most characters held back; a longer secret goes out in part, the rest replaced. */
  public static final int MAX_HELD = 16 * 1024;

  /** Characters already sent that are scanned again as the context of a new piece. */
  private static final int CONTEXT = 1024;

  /**
   * An assignment to a secret-like name at the end of the text, its value not closed yet. The name
   * starts where a word does, so a long run of word characters is tried from one place only.
   */
  private static final Pattern OPEN_ASSIGNMENT =
      Pattern.compile(
          "(?i)(?<![a-z0-9_-])[a-z0-9_-]*(?:passw|secret|token|api[_-]?key|access[_-]?key)"
              + "[a-z0-9_-]*[\"']?"
              + "\\s*(?:[=:]\\s*(?:\"[^\"]*|'[^']*)?)?\\z");

  /** One of these is in every name {@link #OPEN_ASSIGNMENT} knows, in lower case. */
  private static final List<String> NAME_PARTS = List.of("passw", "secret", "token", "key");

  private static final Pattern BLOCK_MARK = Pattern.compile("-----(BEGIN|END)");

  private final SecretRedactor redactor;
  private final StringBuilder text = new StringBuilder();

  /** Characters of {@link #text} already returned. */
  private int sent;

  /** Characters of {@link #text} searched for block marks. */
  private int marksSearched;

  /** Where an open {@code -----BEGIN} block starts, or -1. */
  private int openBlock = -1;

  public StreamedTextRedaction(SecretRedactor redactor) {
    this.redactor = redactor;
  }

  /** Adds the next piece; returns what can go out now, redacted (often empty). */
  public String append(String piece) {
    text.append(piece);
    trackBlocks();
    int end = text.length();
    int hold = Math.min(trailingRunStart(), openAssignmentStart());
    if (openBlock >= 0) {
      hold = Math.min(hold, openBlock);
    }
    boolean forced = end - Math.max(hold, sent) > MAX_HELD;
    if (forced) {
      hold = end - MAX_HELD;
    }
    return release(Math.max(hold, sent), forced);
  }

  /** Everything not returned yet, redacted; the text has ended. */
  public String finish() {
    return release(text.length(), true);
  }

  /**
   * Returns {@code text[sent, upTo)} redacted. Unless {@code forced}, a secret that starts before
   * {@code upTo} and ends after it, or at the end of the text (where it may still grow), keeps its
   * whole span back for the next call.
   */
  private String release(int upTo, boolean forced) {
    if (upTo <= sent && !forced) {
      return ""; // all of the new text is held: nothing to scan for (most deltas end mid-word)
    }
    int contextStart = Math.max(0, sent - CONTEXT);
    if (openBlock >= 0) {
      contextStart = Math.min(contextStart, openBlock);
    }
    List<SecretRedactor.Secret> secrets = redactor.find(text, contextStart, text.length());
    if (!forced) {
      for (SecretRedactor.Secret secret : secrets) {
        if (secret.start() < upTo && (secret.end() > upTo || secret.end() == text.length())) {
          upTo = Math.max(sent, secret.start());
        }
      }
    }
    StringBuilder out = new StringBuilder(Math.max(0, upTo - sent));
    int copied = sent;
    for (SecretRedactor.Secret secret : secrets) {
      if (secret.end() <= sent || secret.start() >= upTo) {
        continue;
      }
      out.append(text, copied, Math.max(copied, secret.start())).append(redactor.marker(secret));
      copied = Math.min(secret.end(), upTo);
    }
    if (copied < upTo) {
      out.append(text, copied, upTo);
    }
    sent = Math.max(sent, upTo);
    return out.toString();
  }

  private int trailingRunStart() {
    int start = text.length();
    while (start > sent && !Character.isWhitespace(text.charAt(start - 1))) {
      start--;
    }
    return start;
  }

  private int openAssignmentStart() {
    int from = Math.max(sent, text.length() - CONTEXT);
    String tail = text.substring(from).toLowerCase(Locale.ROOT);
    if (NAME_PARTS.stream().noneMatch(tail::contains)) {
      return text.length();
    }
    Matcher matcher = OPEN_ASSIGNMENT.matcher(text).region(from, text.length());
    return matcher.find() ? matcher.start() : text.length();
  }

  /** Follows {@code -----BEGIN}/{@code -----END} marks through the new text. */
  private void trackBlocks() {
    Matcher matcher =
        BLOCK_MARK.matcher(text).region(Math.max(0, marksSearched - 9), text.length());
    while (matcher.find()) {
      openBlock = "BEGIN".equals(matcher.group(1)) ? matcher.start() : -1;
    }
    marksSearched = text.length();
  }
}
