package dev.agentfeed.common.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How bearer tokens are verified: with an HS256 {@code secret} (at least 32 bytes), or with the
 * keys an issuer publishes at {@code jwkSetUri}. The development secret of the local stack is
 * refused unless {@code allowDevelopmentSecret} is set, so production cannot start with it.
 */
@ConfigurationProperties("agentfeed.security.jwt")
public record JwtProperties(String secret, String jwkSetUri, boolean allowDevelopmentSecret) {

  /** The secret the local stack and its README use; never valid in production. */
  public static final String DEVELOPMENT_SECRET = "dev-only-agentfeed-jwt-secret-0123456789abcdef";
}
