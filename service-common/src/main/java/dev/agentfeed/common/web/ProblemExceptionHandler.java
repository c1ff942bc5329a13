package dev.agentfeed.common.web;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The base of every service's exception handler: Spring's RFC 9457 handling, with problem details
 * always sent as {@code application/problem+json}, whatever the client asked for in {@code Accept},
 * so that a client always learns what was wrong.
 */
public abstract class ProblemExceptionHandler extends ResponseEntityExceptionHandler {

  @Override
  protected ResponseEntity<Object> createResponseEntity(
      Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
    HttpHeaders withType = new HttpHeaders();
    withType.putAll(headers);
    if (body instanceof ProblemDetail) {
      withType.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
    return new ResponseEntity<>(body, withType, statusCode);
  }
}
