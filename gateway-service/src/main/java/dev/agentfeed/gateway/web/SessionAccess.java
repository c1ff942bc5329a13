package dev.agentfeed.gateway.web;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.model.Ids;
import dev.agentfeed.model.SessionRef;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.Jwt;

/** Which (org, session) an HTTP request may read: always one of the token's organisation. */
public final class SessionAccess {

  private SessionAccess() {}

  /**
   * The session of the token's organisation; 400 for a malformed id, 404 when a session-restricted
   * token names another session.
   */
  public static SessionRef authorize(Jwt jwt, String sessionId) {
    if (!Ids.isValid(sessionId)) {
      throw Problems.of(HttpStatus.BAD_REQUEST, "sessionId must match " + Ids.PATTERN_TEXT);
    }
    Caller caller = Caller.of(jwt);
    if (!caller.mayAccess(caller.orgId(), sessionId)) {
      throw Problems.sessionNotFound(sessionId);
    }
    return new SessionRef(caller.orgId(), sessionId);
  }
}
