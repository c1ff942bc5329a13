package dev.agentfeed.ingest;

import dev.agentfeed.common.web.ProblemExceptionHandler;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * Turns every failure into an RFC 9457 problem detail. Spring MVC's own exceptions (404, 405, 415,
 * and the {@code ErrorResponseException}s the endpoints throw) keep their status; anything
 * unexpected is logged and answered with a 500 that reveals nothing about the internals.
 */
@RestControllerAdvice
class IngestExceptionHandler extends ProblemExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(IngestExceptionHandler.class);

  @Override
  protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(
      HttpMediaTypeNotSupportedException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    String accepted =
        ex.getSupportedMediaTypes().stream()
            .map(MediaType::toString)
            .sorted()
            .collect(Collectors.joining(" or "));
    String sent = request.getHeader(HttpHeaders.CONTENT_TYPE);
    String detail =
        (sent == null || sent.isBlank()
                ? "the request has no Content-Type"
                : "Content-Type '" + sent + "' is not supported")
            + "; send "
            + accepted;
    ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
    return handleExceptionInternal(ex, body, headers, status, request);
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Object> handleUnexpected(Exception ex, NativeWebRequest request) {
    if (DisconnectedClientHelper.isClientDisconnectedException(ex)) {
      log.debug("Client went away during {}", request.getDescription(false), ex);
      return null;
    }
    log.error("Unexpected failure of {}", request.getDescription(false), ex);
    ProblemDetail body =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.INTERNAL_SERVER_ERROR,
            "the server failed unexpectedly and logged the cause; nothing in this request is"
                + " acknowledged, and retrying with the same event ids is safe");
    return handleExceptionInternal(
        ex, body, new HttpHeaders(), HttpStatus.INTERNAL_SERVER_ERROR, request);
  }
}
