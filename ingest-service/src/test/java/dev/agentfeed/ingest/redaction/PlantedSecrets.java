package dev.agentfeed.ingest.redaction;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fake credentials of every built-in kind, and look-alikes that must survive. Each is assembled
 * from parts so that no secret scanner mistakes this source for a leak.
 */
public final class PlantedSecrets {

  public static final String AWS_KEY_ID = "AKIA" + "IOSFODNN7EXAMPLE";
  public static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY";
  public static final String GITHUB = "ghp_" + "a".repeat(20) + "B".repeat(16);
  public static final String GITHUB_PAT = "github_pat_" + "11ABCDEFG0" + "x".repeat(40);
  public static final String GITLAB = "glpat-" + "xY9_zK2-" + "abcdefghijkl";
  public static final String SLACK = "xoxb-" + "123456789012-" + "abcdefABCDEF";
  public static final String OPENAI = "sk-" + "proj-" + "Abcdefghij0123456789XYZ";
  public static final String ANTHROPIC = "sk-ant-" + "api03-" + "Abcdefghij0123456789_XYZ";
  public static final String JWT =
      "eyJ"
          + "hbGciOiJIUzI1NiJ9"
          + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0"
          + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  public static final String PEM_BODY = "MIIEowIBAAKCAQEAx" + "q1w2e3r4t5y6";
  public static final String PEM =
      "-----BEGIN RSA PRIVATE KEY-----\n" + PEM_BODY + "\n-----END RSA PRIVATE KEY-----";
  public static final String URL_PASSWORD = "s3cr3t-" + "pw";
  public static final String ASSIGNED_PASSWORD = "hunter" + "2-xyz";

  private PlantedSecrets() {}

  /**
   * Text holding each kind, keyed by the secret part that must disappear (for a PEM block, its
   * body).
   */
  public static Map<String, String> everyKind() {
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put(AWS_KEY_ID, "export AWS_ACCESS_KEY_ID=" + AWS_KEY_ID);
    texts.put(AWS_SECRET, "aws_secret_access_key = " + AWS_SECRET);
    texts.put(GITHUB, "git clone " + GITHUB);
    texts.put(GITHUB_PAT, "token " + GITHUB_PAT);
    texts.put(GITLAB, "PRIVATE-TOKEN: " + GITLAB);
    texts.put(SLACK, "slack " + SLACK);
    texts.put(OPENAI, "OPENAI " + OPENAI);
    texts.put(ANTHROPIC, "key " + ANTHROPIC);
    texts.put(JWT, "Authorization: Bearer " + JWT);
    texts.put(PEM_BODY, "key:\n" + PEM + "\n");
    texts.put(URL_PASSWORD, "psql postgres://app:" + URL_PASSWORD + "@db:5432/app");
    texts.put(ASSIGNED_PASSWORD, "mysql --password=" + ASSIGNED_PASSWORD);
    return texts;
  }

  /** Texts that only look like secrets and must be stored unchanged. */
  public static List<String> lookAlikes() {
    return List.of(
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 Merge branch 'main'",
        "session 3f9a0c1e-77b2-4d4e-8a61-0c5e2d9b4f10 started",
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "Please enter your password to continue; the token expires in 10 minutes.",
        "const password = getPassword();");
  }
}
