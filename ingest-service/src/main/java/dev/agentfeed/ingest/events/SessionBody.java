package dev.agentfeed.ingest.events;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.model.Ids;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The checks shared by the endpoints that take an agent's own format for one session ({@code
 * /v1/sessions/{sessionId}/…}): the session id in the path, the token's right to that session, and
 * the body's size limit.
 */
final class SessionBody {

  private SessionBody() {}

  /** The body of a request for {@code sessionId}, once the path and the token allow it. */
  static InputStream open(
      Caller caller, String sessionId, HttpServletRequest request, long maxRequestBytes)
      throws IOException {
    if (!Ids.isValid(sessionId)) {
      throw problem(
          HttpStatus.BAD_REQUEST, "the session id in the path must match " + Ids.PATTERN_TEXT);
    }
    if (caller.sessionId().filter(sid -> !sid.equals(sessionId)).isPresent()) {
      throw problem(
          HttpStatus.FORBIDDEN,
          "the token is confined to session '"
              + caller.sessionId().get()
              + "' and may not post to session '"
              + sessionId
              + "'; nothing in this request was stored");
    }
    long declared = request.getContentLengthLong();
    if (declared > maxRequestBytes) {
      throw EventProblems.declaredTooLarge(declared, maxRequestBytes);
    }
    return new BoundedInputStream(request.getInputStream(), maxRequestBytes);
  }

  private static ErrorResponseException problem(HttpStatus status, String detail) {
    return new ErrorResponseException(
        status, ProblemDetail.forStatusAndDetail(status, detail), null);
  }
}
