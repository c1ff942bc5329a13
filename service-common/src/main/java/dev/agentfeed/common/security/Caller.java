package dev.agentfeed.common.security;

import java.util.Optional;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Who is calling, from a verified token: the organisation every request is confined to and, for a
 * sandbox token, the one session it may write.
 */
public record Caller(String orgId, Optional<String> sessionId) {

  public static final String ORG_CLAIM = "org";
  public static final String SESSION_CLAIM = "sid";

  public static Caller of(Jwt jwt) {
    return new Caller(
        jwt.getClaimAsString(ORG_CLAIM), Optional.ofNullable(jwt.getClaimAsString(SESSION_CLAIM)));
  }

  /** Whether this caller may touch the given session of the given organisation. */
  public boolean mayAccess(String org, String session) {
    return orgId.equals(org) && sessionId.map(session::equals).orElse(true);
  }
}
