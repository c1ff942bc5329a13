package dev.agentfeed.common.security;

import dev.agentfeed.model.Ids;
import java.nio.charset.StandardCharsets;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Verifies bearer tokens for every service that serves HTTP: HS256 with the configured secret by
 * default, an issuer's JWKS when {@code agentfeed.security.jwt.jwk-set-uri} is set. A token without
 * a valid {@code org} claim is rejected, since everything is confined to an org.
 */
@AutoConfiguration(
    beforeName =
        "org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration")
@ConditionalOnClass(JwtDecoder.class)
@EnableConfigurationProperties(JwtProperties.class)
public class JwtAutoConfiguration {

  private static final int MIN_SECRET_BYTES = 32;

  @Bean
  @ConditionalOnMissingBean
  JwtDecoder agentfeedJwtDecoder(JwtProperties properties) {
    NimbusJwtDecoder decoder;
    if (properties.jwkSetUri() != null && !properties.jwkSetUri().isBlank()) {
      decoder = NimbusJwtDecoder.withJwkSetUri(properties.jwkSetUri()).build();
    } else {
      decoder =
          NimbusJwtDecoder.withSecretKey(new SecretKeySpec(checkedSecret(properties), "HmacSHA256"))
              .macAlgorithm(MacAlgorithm.HS256)
              .build();
    }
    decoder.setJwtValidator(
        new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefault(), orgClaimValidator()));
    return decoder;
  }

  static byte[] checkedSecret(JwtProperties properties) {
    String secret = properties.secret();
    if (secret == null || secret.isBlank()) {
      throw new IllegalStateException(
          "No JWT verification configured: set agentfeed.security.jwt.secret (HS256, at least "
              + MIN_SECRET_BYTES
              + " bytes) or agentfeed.security.jwt.jwk-set-uri");
    }
    if (secret.equals(JwtProperties.DEVELOPMENT_SECRET) && !properties.allowDevelopmentSecret()) {
      throw new IllegalStateException(
          "Refusing to start with the development JWT secret: set agentfeed.security.jwt.secret to"
              + " a secret of your own (only the local stack sets"
              + " agentfeed.security.jwt.allow-development-secret=true)");
    }
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new IllegalStateException(
          "agentfeed.security.jwt.secret is "
              + bytes.length
              + " bytes; HS256 needs at least "
              + MIN_SECRET_BYTES);
    }
    return bytes;
  }

  private static OAuth2TokenValidator<Jwt> orgClaimValidator() {
    return jwt ->
        Ids.isValid(jwt.getClaimAsString(Caller.ORG_CLAIM))
            ? OAuth2TokenValidatorResult.success()
            : OAuth2TokenValidatorResult.failure(
                new OAuth2Error("invalid_token", "the token has no valid 'org' claim", null));
  }
}
