package dev.agentfeed.ingest.events;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Sends the answers of {@code /v1/events} whole, with a Content-Length, and flushes them before the
 * request ends. When the service answers without reading the whole body (413, 403, 400), Tomcat
 * reads and drops the rest afterwards and closes the connection if there is too much of it; the
 * client then already holds the complete answer instead of a chunked one cut off by the close. The
 * answers are small (at most the listed rejections), so buffering them costs little.
 */
@Component
@Order(CompleteAnswerFilter.ORDER)
final class CompleteAnswerFilter extends OncePerRequestFilter {

  /** Before Spring Security's filter (-100), so that its 401 and 403 answers are sent whole too. */
  static final int ORDER = -110;

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !EventsController.PATH.equals(request.getRequestURI());
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    ContentCachingResponseWrapper answer = new ContentCachingResponseWrapper(response);
    try {
      chain.doFilter(request, answer);
    } finally {
      answer.copyBodyToResponse();
      response.flushBuffer();
    }
  }
}
