package dev.agentfeed.common.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.stream.Collectors;

/**
 * Mints HS256 tokens with the claims agentfeed reads. For the local stack, tests and benchmarks;
 * production tokens come from an identity provider.
 */
public final class TokenMinter {

  private final byte[] secret;
  private final Clock clock;

  public TokenMinter(String secret, Clock clock) {
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.clock = clock;
  }

  /**
   * A token for {@code org} with the given scopes, valid for {@code ttl}; {@code sessionId} may be
   * null, else the token is confined to that session.
   */
  public String mint(String org, Collection<Scope> scopes, String sessionId, Duration ttl) {
    Instant now = clock.instant();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(org + (sessionId == null ? "" : "/" + sessionId))
            .claim(Caller.ORG_CLAIM, org)
            .claim("scope", scopes.stream().map(Scope::claimValue).collect(Collectors.joining(" ")))
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)));
    if (sessionId != null) {
      claims.claim(Caller.SESSION_CLAIM, sessionId);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot sign with this secret: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }
}
