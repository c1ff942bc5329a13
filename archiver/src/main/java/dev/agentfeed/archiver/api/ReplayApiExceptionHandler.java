package dev.agentfeed.archiver.api;

import dev.agentfeed.archiver.replay.ReplayVerifier;
import dev.agentfeed.common.web.ProblemExceptionHandler;
import java.time.LocalDate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import software.amazon.awssdk.core.exception.SdkException;
import tools.jackson.core.JacksonException;

/**
 * Every failure of the auditor API as an RFC 9457 problem detail: bad parameters are a 400 that
 * names the parameter, an unreachable S3 a 503 (try again later), a manifest that cannot be read a
 * 500 that says which session, objects that do not match their manifest a 502 that says how.
 */
@RestControllerAdvice
class ReplayApiExceptionHandler extends ProblemExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ReplayApiExceptionHandler.class);

  @Override
  protected ResponseEntity<Object> handleTypeMismatch(
      TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    String name =
        ex instanceof MethodArgumentTypeMismatchException m ? m.getName() : ex.getPropertyName();
    ProblemDetail body =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.BAD_REQUEST,
            "'"
                + name
                + "' is '"
                + ex.getValue()
                + "'; expected "
                + expected(ex.getRequiredType()));
    return handleExceptionInternal(ex, body, headers, HttpStatus.BAD_REQUEST, request);
  }

  private static String expected(Class<?> type) {
    if (type == LocalDate.class) {
      return "a date as YYYY-MM-DD";
    }
    if (type == int.class || type == Integer.class) {
      return "a whole number";
    }
    return type == null ? "another value" : "a " + type.getSimpleName();
  }

  @ExceptionHandler(SdkException.class)
  ResponseEntity<Object> handleS3(SdkException ex, WebRequest request) {
    log.warn("The replay store failed during {}", request.getDescription(false), ex);
    ProblemDetail body =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.SERVICE_UNAVAILABLE, "the replay store (S3) cannot be read; try again");
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.RETRY_AFTER, "5");
    return handleExceptionInternal(ex, body, headers, HttpStatus.SERVICE_UNAVAILABLE, request);
  }

  @ExceptionHandler(ReplayVerifier.IntegrityException.class)
  ResponseEntity<Object> handleIntegrity(ReplayVerifier.IntegrityException ex, WebRequest request) {
    log.error(
        "An archived session fails verification during {}", request.getDescription(false), ex);
    ProblemDetail body =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.BAD_GATEWAY,
            "the archived session does not match its manifest, so it is not served: "
                + ex.getMessage());
    return handleExceptionInternal(ex, body, new HttpHeaders(), HttpStatus.BAD_GATEWAY, request);
  }

  @ExceptionHandler({JacksonException.class, IllegalArgumentException.class})
  ResponseEntity<Object> handleUnreadableManifest(RuntimeException ex, WebRequest request) {
    log.error("A manifest cannot be read during {}", request.getDescription(false), ex);
    ProblemDetail body =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.INTERNAL_SERVER_ERROR,
            "the session's manifest in the bucket cannot be read: " + ex.getMessage());
    return handleExceptionInternal(
        ex, body, new HttpHeaders(), HttpStatus.INTERNAL_SERVER_ERROR, request);
  }
}
