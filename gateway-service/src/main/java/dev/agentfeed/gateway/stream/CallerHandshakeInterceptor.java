package dev.agentfeed.gateway.stream;

import dev.agentfeed.common.security.Caller;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Captures who the caller is at the handshake, which the security chain has already authenticated
 * (401 without a valid token, 403 without the read scope), into the session's attributes: every
 * frame of the connection is served for that caller.
 */
final class CallerHandshakeInterceptor implements HandshakeInterceptor {

  static final String CALLER_ATTRIBUTE = "agentfeed.caller";
  static final String EXPIRES_ATTRIBUTE = "agentfeed.expires";

  @Override
  public boolean beforeHandshake(
      ServerHttpRequest request,
      ServerHttpResponse response,
      WebSocketHandler handler,
      Map<String, Object> attributes) {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication instanceof JwtAuthenticationToken token) {
      attributes.put(CALLER_ATTRIBUTE, Caller.of(token.getToken()));
      if (token.getToken().getExpiresAt() != null) {
        attributes.put(EXPIRES_ATTRIBUTE, token.getToken().getExpiresAt());
      }
      return true;
    }
    // Unreachable behind the security chain; refuse rather than serve an unknown caller.
    response.setStatusCode(HttpStatus.UNAUTHORIZED);
    return false;
  }

  @Override
  public void afterHandshake(
      ServerHttpRequest request,
      ServerHttpResponse response,
      WebSocketHandler handler,
      Exception exception) {}
}
