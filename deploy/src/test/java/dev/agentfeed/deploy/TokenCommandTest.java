package dev.agentfeed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.agentfeed.common.security.JwtProperties;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code local-stack token ...}: one verifiable token on stdout, nothing else. */
class TokenCommandTest {

  private static final Instant NOW = Instant.parse("2026-01-30T12:00:00Z");
  private static final long NOW_SECONDS = NOW.getEpochSecond();

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void shouldPrintTokenWithOrgScopesAndTwentyFourHoursByDefault() throws Exception {
    int exitCode = run("token", "--org", "demo", "--scope", "ingest,read");

    assertThat(exitCode).isZero();
    assertThat(claimsVerifiedWith(JwtProperties.DEVELOPMENT_SECRET, singleLine(out)))
        .isEqualTo(
            Map.of(
                "sub", "demo",
                "org", "demo",
                "scope", "ingest read",
                "iat", NOW_SECONDS,
                "exp", NOW_SECONDS + 24 * 3600));
  }

  @Test
  void shouldConfineTokenToTheGivenSessionForTheGivenTime() throws Exception {
    int exitCode =
        run("token", "--org", "acme", "--scope", "ingest", "--session", "ses-1", "--ttl", "30m");

    assertThat(exitCode).isZero();
    assertThat(claimsVerifiedWith(JwtProperties.DEVELOPMENT_SECRET, singleLine(out)))
        .isEqualTo(
            Map.of(
                "sub", "acme/ses-1",
                "org", "acme",
                "scope", "ingest",
                "sid", "ses-1",
                "iat", NOW_SECONDS,
                "exp", NOW_SECONDS + 30 * 60));
  }

  @Test
  void shouldSignWithTheGivenSecretInsteadOfTheDevelopmentSecret() throws Exception {
    String secret = "a-production-like-secret-of-at-least-32-bytes";

    run("token", "--scope", "audit", "--secret", secret);

    SignedJWT jwt = SignedJWT.parse(singleLine(out));
    assertThat(jwt.verify(new MACVerifier(secret.getBytes(StandardCharsets.UTF_8)))).isTrue();
    assertThat(
            jwt.verify(
                new MACVerifier(JwtProperties.DEVELOPMENT_SECRET.getBytes(StandardCharsets.UTF_8))))
        .isFalse();
  }

  @Test
  void shouldRejectAnUnknownScopeWithUsageErrorAndNoToken() {
    int exitCode = run("token", "--scope", "ingest,write");

    assertThat(exitCode).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("'write' is not a scope; use ingest, read or audit");
  }

  @Test
  void shouldRejectAnOrgTheServicesWouldRefuse() {
    int exitCode = run("token", "--org", "acme corp", "--scope", "read");

    assertThat(exitCode).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("--org must match [A-Za-z0-9._:-]{1,128}, was 'acme corp'");
  }

  private int run(String... args) {
    CommandLine commandLine = LocalStack.commandLine(Clock.fixed(NOW, ZoneOffset.UTC));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  private static String singleLine(StringWriter out) {
    String text = out.toString();
    assertThat(text.lines()).hasSize(1);
    return text.strip();
  }

  private static Map<String, Object> claimsVerifiedWith(String secret, String token)
      throws Exception {
    SignedJWT jwt = SignedJWT.parse(token);
    assertThat(jwt.verify(new MACVerifier(secret.getBytes(StandardCharsets.UTF_8)))).isTrue();
    return jwt.getJWTClaimsSet().toJSONObject();
  }
}
