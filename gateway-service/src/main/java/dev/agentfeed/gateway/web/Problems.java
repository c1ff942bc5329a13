package dev.agentfeed.gateway.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** RFC 9457 problems the gateway's HTTP endpoints answer with. */
public final class Problems {

  private Problems() {}

  public static ErrorResponseException of(HttpStatus status, String detail) {
    return new ErrorResponseException(
        status, ProblemDetail.forStatusAndDetail(status, detail), null);
  }

  /**
   * The session is unknown to this organisation. Another org's session answers the same, so that a
   * token cannot even learn whether a session id exists elsewhere.
   */
  public static ErrorResponseException sessionNotFound(String sessionId) {
    return of(
        HttpStatus.NOT_FOUND,
        "session " + sessionId + " is not known in the organisation of this token");
  }
}
