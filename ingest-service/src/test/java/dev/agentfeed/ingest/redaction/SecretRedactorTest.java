package dev.agentfeed.ingest.redaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SecretRedactorTest {

  static final String AWS_KEY_ID = PlantedSecrets.AWS_KEY_ID;
  static final String AWS_SECRET = PlantedSecrets.AWS_SECRET;
  static final String GITHUB = PlantedSecrets.GITHUB;
  static final String GITHUB_PAT = PlantedSecrets.GITHUB_PAT;
  static final String GITLAB = PlantedSecrets.GITLAB;
  static final String SLACK = PlantedSecrets.SLACK;
  static final String OPENAI = PlantedSecrets.OPENAI;
  static final String ANTHROPIC = PlantedSecrets.ANTHROPIC;
  static final String JWT = PlantedSecrets.JWT;
  static final String PEM = PlantedSecrets.PEM;

  private final List<String> counted = new ArrayList<>();
  private final SecretRedactor redactor = new SecretRedactor(Map.of(), counted::add);
  private final JsonMapper json = JsonMapper.builder().build();

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "aws-access-key  | export AWS_ACCESS_KEY_ID=#AWS_KEY_ID# && aws s3 ls"
            + " | export AWS_ACCESS_KEY_ID=[REDACTED:aws-access-key] && aws s3 ls",
        "aws-secret-key  | aws_secret_access_key = #AWS_SECRET#"
            + " | aws_secret_access_key = [REDACTED:aws-secret-key]",
        "github-token    | git clone https://x:@github.com #GITHUB# done"
            + " | git clone https://x:@github.com [REDACTED:github-token] done",
        "github-pat      | Authorization: token #GITHUB_PAT#"
            + " | Authorization: token [REDACTED:github-token]",
        "gitlab-token    | PRIVATE-TOKEN: #GITLAB# | PRIVATE-TOKEN: [REDACTED:gitlab-token]",
        "slack-token     | slack says #SLACK#. | slack says [REDACTED:slack-token].",
        "openai-key      | OpenAI(api_key_value(#OPENAI#)) | OpenAI(api_key_value([REDACTED:openai-key]))",
        "anthropic-key   | key #ANTHROPIC# in use | key [REDACTED:anthropic-key] in use",
        "jwt             | Authorization: Bearer #JWT# | Authorization: Bearer [REDACTED:jwt]",
        "url-password    | psql postgres://app:s3cr3t-pw@db.internal:5432/app"
            + " | psql postgres://app:[REDACTED:url-password]@db.internal:5432/app",
        "url-no-user     | redis://:hunter2@cache:6379 | redis://:[REDACTED:url-password]@cache:6379",
        "assignment      | mysql --password=hunter2 -u root"
            + " | mysql --password=[REDACTED:secret-assignment] -u root",
        "env-assignment  | DB_PASSWORD='hunter 2' npm start"
            + " | DB_PASSWORD=[REDACTED:secret-assignment] npm start",
        "query-token     | GET /cb?access_token=abc123&state=x"
            + " | GET /cb?access_token=[REDACTED:secret-assignment]&state=x",
        "code-assignment | String password = \"hunter2\"; | String password = [REDACTED:secret-assignment];",
        "secret          | client_secret=Zm9vYmFy | client_secret=[REDACTED:secret-assignment]",
        "api-key         | API_KEY=abc-123-def | API_KEY=[REDACTED:secret-assignment]",
        "json-in-string  | {\"user\": \"bob\", \"password\": \"hunter2\"}"
            + " | {\"user\": \"bob\", \"password\": \"[REDACTED:secret-assignment]\"}",
      })
  void shouldReplaceEachKindByItsMarker(String kind, String text, String expected) {
    assertThat(redactor.redact(fill(text))).isEqualTo(expected);
  }

  @Test
  void shouldReplaceAWholePrivateKeyBlockKeepingWhatSurroundsIt() {
    assertThat(redactor.redact("key:\n" + PEM + "\nend"))
        .isEqualTo("key:\n[REDACTED:private-key]\nend");
  }

  @Test
  void shouldReplaceAPrivateKeyCutOffBeforeItsEnd() {
    assertThat(redactor.redact("head\n" + PEM.substring(0, 50)))
        .isEqualTo("head\n[REDACTED:private-key]");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 Merge branch 'main'",
        "session 3f9a0c1e-77b2-4d4e-8a61-0c5e2d9b4f10 started",
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "Please enter your password to continue; the token expires in 10 minutes.",
        "The secret to a good API key rotation policy is automation.",
        "risk-assessment-document-version-2 and task-0123456789abcdefghij",
        "https://github.com/acme/repo/blob/main/README.md",
        "user@example.com wrote: see http://example.com:8080/path",
        "const password = getPassword();",
        "AKIA is the prefix of AWS access key ids",
      })
  void shouldLeaveLookAlikesIntact(String text) {
    assertThat(redactor.redact(text)).isSameAs(text);
  }

  @Test
  void shouldRedactEveryStringInNestedData() {
    JsonNode data =
        json.readTree(
            fill("{'input':{'command':'curl -H \\\"x: #GITHUB#\\\" api','env':['A=1','TOKEN=abc']},"
                    + "'count':3,'ok':true,'output':null,'edits':[{'old_string':'#AWS_KEY_ID#'}]}")
                .replace('\'', '"'));

    redactor.redact(data);

    assertThat(data)
        .isEqualTo(
            json.readTree(
                ("{'input':{'command':'curl -H \\\"x: [REDACTED:github-token]\\\" api',"
                        + "'env':['A=1','TOKEN=[REDACTED:secret-assignment]']},"
                        + "'count':3,'ok':true,'output':null,"
                        + "'edits':[{'old_string':'[REDACTED:aws-access-key]'}]}")
                    .replace('\'', '"')));
  }

  @Test
  void shouldCountEachReplacementByKind() {
    redactor.redact(fill("#AWS_KEY_ID# #JWT# #AWS_KEY_ID#"));

    assertThat(counted).containsExactly("aws-access-key", "jwt", "aws-access-key");
  }

  @Test
  void shouldApplyConfiguredExtraPatterns() {
    SecretRedactor withExtra =
        new SecretRedactor(
            Map.of("acme-license", "ACME-[0-9]{4}-[0-9]{4}"), SecretRedactor.RedactionCounter.NONE);

    assertThat(withExtra.redact("license ACME-1234-5678 and " + fill("#SLACK#")))
        .isEqualTo("license [REDACTED:acme-license] and [REDACTED:slack-token]");
  }

  @Test
  void shouldRefuseAnExtraPatternThatDoesNotCompile() {
    assertThatThrownBy(
            () ->
                new SecretRedactor(Map.of("broken", "(abc"), SecretRedactor.RedactionCounter.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("extra-patterns.broken is not a valid regex");
  }

  @Test
  void shouldRefuseAnExtraKindNameThatCannotBeAMarker() {
    assertThatThrownBy(
            () -> new SecretRedactor(Map.of("Bad Name", "x"), SecretRedactor.RedactionCounter.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the name 'Bad Name' must match");
  }

  static String fill(String text) {
    return text.replace("#AWS_KEY_ID#", AWS_KEY_ID)
        .replace("#AWS_SECRET#", AWS_SECRET)
        .replace("#GITHUB_PAT#", GITHUB_PAT)
        .replace("#GITHUB#", GITHUB)
        .replace("#GITLAB#", GITLAB)
        .replace("#SLACK#", SLACK)
        .replace("#OPENAI#", OPENAI)
        .replace("#ANTHROPIC#", ANTHROPIC)
        .replace("#JWT#", JWT);
  }
}
