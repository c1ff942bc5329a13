package dev.agentfeed.common.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authentication and authorisation failures as RFC 9457 problem details that say what is wrong,
 * keeping the {@code WWW-Authenticate} header that bearer-token clients expect.
 */
public final class ProblemResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

  private final BearerTokenAuthenticationEntryPoint entryPoint =
      new BearerTokenAuthenticationEntryPoint();
  private final BearerTokenAccessDeniedHandler deniedHandler = new BearerTokenAccessDeniedHandler();
  private final JsonMapper mapper;

  public ProblemResponses(JsonMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public void commence(
      HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
      throws IOException {
    entryPoint.commence(request, response, e);
    String detail =
        request.getHeader("Authorization") == null && !hasQueryToken(request)
            ? "a bearer token is required (Authorization: Bearer <jwt>)"
            : "the bearer token is not valid: " + e.getMessage();
    write(request, response, HttpStatus.UNAUTHORIZED, detail);
  }

  @Override
  public void handle(
      HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
      throws IOException {
    deniedHandler.handle(request, response, e);
    write(
        request,
        response,
        HttpStatus.FORBIDDEN,
        "the token's scope does not allow " + request.getMethod() + " " + request.getRequestURI());
  }

  // getParameter would parse a form-encoded body just to word this message; the query is enough.
  private static boolean hasQueryToken(HttpServletRequest request) {
    String query = request.getQueryString();
    return query != null && (query.startsWith("access_token=") || query.contains("&access_token="));
  }

  /** Writes a problem document with the given status; usable by controllers' filters too. */
  public void write(
      HttpServletRequest request, HttpServletResponse response, HttpStatus status, String detail)
      throws IOException {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setInstance(URI.create(request.getRequestURI()));
    response.setStatus(status.value());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    mapper.writeValue(response.getOutputStream(), problem);
  }
}
