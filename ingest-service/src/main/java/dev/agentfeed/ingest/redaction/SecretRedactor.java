package dev.agentfeed.ingest.redaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Replaces credentials in text by a marker naming their kind, {@code [REDACTED:<kind>]}. All kinds
 * are alternatives of one precompiled pattern, so each string is scanned once whatever the number
 * of kinds. Where a rule marks a secret part (the password of a URL, the value of an assignment),
 * only that part is replaced and the context (user, host, key name) stays readable; otherwise the
 * whole match is.
 *
 * <p>It reads and writes no topic: ingest calls it on every event's {@code data} before the event
 * goes to Kafka, so no credential a sandbox sends ever reaches a topic, the archive or a dashboard.
 */
public final class SecretRedactor {

  /** A kind of secret and the pattern that finds it; {@code (?<SECRET>…)} marks the secret part. */
  private record Rule(String kind, String regex) {}

  private static final String KEY_CHARS = "A-Za-z0-9_";

  /** The names of assignments whose value is a secret: password, DB_PASSWORD, access_token… */
  private static final String ASSIGNED_KEY =
      "(?i:(?:[a-z0-9]+[_-])*(?:password|passwd|secret|token|api[_-]?key))";

  /**
   * The built-in kinds. Order matters only where two start at the same position: the more specific
   * kind comes first (an Anthropic key before the generic {@code sk-} key).
   */
  private static final List<Rule> BUILT_IN =
      List.of(
          new Rule(
              "private-key",
              "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\\s\\S]*?"
                  + "(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|\\z)"),
          new Rule(
              "aws-access-key", "(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
          new Rule(
              "aws-secret-key",
              "(?i:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)[\"']?\\s*[=:]\\s*"
                  + "[\"']?(?<SECRET>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"),
          new Rule(
              "github-token",
              "(?<!["
                  + KEY_CHARS
                  + "])(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}"
                  + "|github_pat_[A-Za-z0-9_]{22,})"),
          new Rule("gitlab-token", "(?<![" + KEY_CHARS + "-])glpat-[A-Za-z0-9_-]{20,}"),
          new Rule("slack-token", "(?<![" + KEY_CHARS + "-])xox[abprs]-[A-Za-z0-9-]{10,}"),
          new Rule("anthropic-key", "(?<![" + KEY_CHARS + "-])sk-ant-[A-Za-z0-9_-]{20,}"),
          new Rule("openai-key", "(?<![" + KEY_CHARS + "-])sk-[A-Za-z0-9_-]{20,}"),
          new Rule(
              "jwt",
              "(?<!["
                  + KEY_CHARS
                  + "-])eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"),
          new Rule(
              "url-password",
              "(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://[^\\s/:@\"']*:(?<SECRET>[^\\s/@\"']+)@"),
          // "password": "…" in JSON carried inside a string (a tool's output, a file's content).
          new Rule(
              "secret-assignment",
              "\"" + ASSIGNED_KEY + "\"\\s*:\\s*" + "\"(?<SECRET>[^\"\\\\]+)\""),
          // password="…" or password = '…': a quoted value, spaces allowed (code, config).
          new Rule(
              "secret-assignment",
              "(?<![" + KEY_CHARS + "])" + ASSIGNED_KEY + "\\s*=\\s*(?<SECRET>\"[^\"]+\"|'[^']+')"),
          // password=…, API_KEY=…, ?access_token=…: an unquoted value right after '=' (shell lines,
          // env files, URLs, logs). With spaces around '=' an unquoted value is code such as
          // password = readPassword() and is kept.
          new Rule(
              "secret-assignment",
              "(?<![" + KEY_CHARS + "])" + ASSIGNED_KEY + "=(?<SECRET>[^\\s&;,\"'<>]+)"));

  private static final Pattern KIND = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

  /**
   * Every built-in match holds one of these, in lower case: a string with none cannot hold a
   * built-in secret and skips the pattern. Looking for a few literals with {@link String#indexOf}
   * costs a fraction of running the pattern, whose lookbehinds and many alternatives are tried at
   * every position (the benchmark {@code agentfeed-bench ingest} measures both). Keep this list in
   * step with {@link #BUILT_IN}: the tests of every kind fail when a kind has no trigger here.
   */
  private static final List<String> TRIGGERS =
      List.of(
          "private key", // private-key
          "akia",
          "asia",
          "abia",
          "acca", // aws-access-key
          "secret", // aws-secret-key, secret-assignment
          "ghp_",
          "gho_",
          "ghu_",
          "ghs_",
          "ghr_",
          "github_pat_", // github-token
          "glpat-", // gitlab-token
          "xox", // slack-token
          "sk-", // anthropic-key, openai-key
          "eyj", // jwt
          "://", // url-password
          "passw",
          "token",
          "api"); // secret-assignment

  private final Pattern pattern;
  private final List<String> kinds = new ArrayList<>();
  private final List<Boolean> hasSecretPart = new ArrayList<>();
  private final RedactionCounter counter;

  /**
   * @param extraPatterns more kinds, name to regex; their whole match is replaced
   * @param counter told of every replacement
   * @throws IllegalArgumentException when a name is not a short lower-case word or a regex does not
   *     compile
   */
  public SecretRedactor(Map<String, String> extraPatterns, RedactionCounter counter) {
    this.counter = counter;
    List<Rule> rules = new ArrayList<>(BUILT_IN);
    extraPatterns.forEach(
        (kind, regex) -> {
          if (!KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException(
                "agentfeed.ingest.redaction.extra-patterns: the name '"
                    + kind
                    + "' must match "
                    + KIND.pattern());
          }
          try {
            Pattern.compile(regex);
          } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                "agentfeed.ingest.redaction.extra-patterns."
                    + kind
                    + " is not a valid regex: "
                    + e.getDescription(),
                e);
          }
          rules.add(new Rule(kind, "(?:" + regex + ")"));
        });
    StringBuilder alternatives = new StringBuilder();
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      boolean builtIn = i < BUILT_IN.size();
      boolean secretPart = builtIn && rule.regex().contains("(?<SECRET>");
      String regex =
          secretPart ? rule.regex().replace("(?<SECRET>", "(?<s" + i + ">") : rule.regex();
      alternatives
          .append(i == 0 ? "" : "|")
          .append("(?<k")
          .append(i)
          .append('>')
          .append(regex)
          .append(')');
      kinds.add(rule.kind());
      hasSecretPart.add(secretPart);
    }
    this.pattern = Pattern.compile(alternatives.toString());
  }

  /** Every kind this redactor knows, for metrics and documentation. */
  public List<String> kinds() {
    return kinds.stream().distinct().toList();
  }

  /** Redacts every string value in {@code node}, recursively, in place. */
  public void redact(JsonNode node) {
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> property : object.properties()) {
        JsonNode value = property.getValue();
        if (value.isString()) {
          String text = value.stringValue();
          String redacted = redact(text);
          if (redacted != text) {
            property.setValue(StringNode.valueOf(redacted));
          }
        } else if (value.isContainer()) {
          redact(value);
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        JsonNode value = array.get(i);
        if (value.isString()) {
          String text = value.stringValue();
          String redacted = redact(text);
          if (redacted != text) {
            array.set(i, StringNode.valueOf(redacted));
          }
        } else if (value.isContainer()) {
          redact(value);
        }
      }
    }
  }

  /** The text with every secret replaced; the same instance when there was none. */
  public String redact(String text) {
    List<Secret> secrets = find(text, 0, text.length());
    if (secrets.isEmpty()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int copied = 0;
    for (Secret secret : secrets) {
      out.append(text, copied, secret.start()).append(marker(secret));
      copied = secret.end();
    }
    return out.append(text, copied, text.length()).toString();
  }

  /**
   * The secrets matched within {@code text[from, to)}, in order. Lookbehinds and lookaheads see
   * past both ends, so a match does not start in the middle of a word just because {@code from} is
   * there. A secret's span is its secret part where the rule marks one, else the whole match.
   * Counts nothing: {@link #marker(Secret)} does, when a secret is replaced.
   */
  public List<Secret> find(CharSequence text, int from, int to) {
    // No built-in kind is shorter than this; extra kinds are matched in any string.
    boolean builtInOnly = kinds.size() == BUILT_IN.size();
    if (builtInOnly && (to - from < 8 || !mayHoldBuiltIn(text.subSequence(from, to)))) {
      return List.of();
    }
    Matcher matcher = pattern.matcher(text).region(from, to).useTransparentBounds(true);
    List<Secret> secrets = new ArrayList<>(1);
    while (matcher.find()) {
      int rule = matchedRule(matcher);
      String group = hasSecretPart.get(rule) ? "s" + rule : "k" + rule;
      secrets.add(new Secret(matcher.start(group), matcher.end(group), kinds.get(rule)));
    }
    return secrets;
  }

  /** {@code [REDACTED:<kind>]}, counting one replacement of the kind. */
  public String marker(Secret secret) {
    counter.redacted(secret.kind());
    return "[REDACTED:" + secret.kind() + "]";
  }

  /** A secret in a text: the characters {@code [start, end)}, of a kind. */
  public record Secret(int start, int end, String kind) {}

  private static boolean mayHoldBuiltIn(CharSequence text) {
    String lower = text.toString().toLowerCase(Locale.ROOT);
    for (String trigger : TRIGGERS) {
      if (lower.contains(trigger)) {
        return true;
      }
    }
    return false;
  }

  private int matchedRule(Matcher matcher) {
    for (int i = 0; i < kinds.size(); i++) {
      if (matcher.start("k" + i) >= 0) {
        return i;
      }
    }
    throw new IllegalStateException("a match of no rule");
  }

  /** Told of every secret replaced, by kind. */
  @FunctionalInterface
  public interface RedactionCounter {

    void redacted(String kind);

    /** Counts nothing, for tools and tests that need no metrics. */
    RedactionCounter NONE = kind -> {};
  }
}
