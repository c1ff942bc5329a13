package dev.agentfeed.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;

class JwtAutoConfigurationTest {

  private static final String SECRET = "test-secret-that-is-long-enough-for-hs256!";
  private final JwtAutoConfiguration configuration = new JwtAutoConfiguration();

  private JwtDecoder decoder(String secret, boolean allowDevelopment) {
    return configuration.agentfeedJwtDecoder(new JwtProperties(secret, null, allowDevelopment));
  }

  @Test
  void shouldRefuseTheDevelopmentSecretUnlessAllowed() {
    assertThatThrownBy(() -> decoder(JwtProperties.DEVELOPMENT_SECRET, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Refusing to start with the development JWT secret");
    assertThat(decoder(JwtProperties.DEVELOPMENT_SECRET, true)).isNotNull();
  }

  @Test
  void shouldRefuseAMissingOrShortSecret() {
    assertThatThrownBy(() -> decoder(null, false)).hasMessageContaining("No JWT verification");
    assertThatThrownBy(() -> decoder("short", false)).hasMessageContaining("at least 32");
  }

  @Test
  void shouldReadTheClaimsOfAMintedToken() {
    String token =
        new TokenMinter(SECRET, Clock.systemUTC())
            .mint("org-1", List.of(Scope.INGEST, Scope.READ), "ses-1", Duration.ofMinutes(5));

    Jwt jwt = decoder(SECRET, false).decode(token);

    assertThat(Caller.of(jwt)).isEqualTo(new Caller("org-1", java.util.Optional.of("ses-1")));
    assertThat(jwt.getClaimAsString("scope")).isEqualTo("ingest read");
  }

  @Test
  void shouldRejectAnExpiredToken() {
    Clock past = Clock.fixed(Instant.parse("2020-01-01T00:00:00Z"), ZoneOffset.UTC);
    String token =
        new TokenMinter(SECRET, past)
            .mint("org-1", List.of(Scope.READ), null, Duration.ofMinutes(5));

    assertThatThrownBy(() -> decoder(SECRET, false).decode(token))
        .isInstanceOf(JwtValidationException.class);
  }

  @Test
  void shouldRejectATokenSignedWithAnotherSecret() {
    String token =
        new TokenMinter("another-secret-that-is-long-enough-for-hs256", Clock.systemUTC())
            .mint("org-1", List.of(Scope.READ), null, Duration.ofMinutes(5));

    assertThatThrownBy(() -> decoder(SECRET, false).decode(token))
        .hasMessageContaining("signature");
  }

  @Test
  void shouldRejectATokenWithoutAnOrg() {
    String token =
        new TokenMinter(SECRET, Clock.systemUTC())
            .mint("bad org!", List.of(Scope.READ), null, Duration.ofMinutes(5));

    assertThatThrownBy(() -> decoder(SECRET, false).decode(token))
        .hasMessageContaining("no valid 'org' claim");
  }
}
