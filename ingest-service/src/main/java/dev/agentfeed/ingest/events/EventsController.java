package dev.agentfeed.ingest.events;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.ingest.IngestProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/events} for sandboxes: a JSON event, a JSON array of events, or NDJSON streamed
 * one event per line. Reads the body itself, so that it is never buffered whole and its size is
 * enforced while it arrives; answers 202 once every accepted event is acknowledged by Kafka.
 */
@RestController
final class EventsController {

  static final String PATH = "/v1/events";

  private final EventIngest ingest;
  private final long maxRequestBytes;

  EventsController(EventIngest ingest, IngestProperties properties) {
    this.ingest = ingest;
    this.maxRequestBytes = properties.maxRequestSize().toBytes();
  }

  @PostMapping(path = PATH, consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<IngestReport> postJson(
      @AuthenticationPrincipal Jwt token, HttpServletRequest request) throws IOException {
    return ResponseEntity.accepted().body(ingest.ingestJson(Caller.of(token), body(request)));
  }

  @PostMapping(path = PATH, consumes = MediaType.APPLICATION_NDJSON_VALUE)
  ResponseEntity<IngestReport> postNdjson(
      @AuthenticationPrincipal Jwt token, HttpServletRequest request) throws IOException {
    return ResponseEntity.accepted().body(ingest.ingestNdjson(Caller.of(token), body(request)));
  }

  private InputStream body(HttpServletRequest request) throws IOException {
    long declared = request.getContentLengthLong();
    if (declared > maxRequestBytes) {
      throw EventProblems.declaredTooLarge(declared, maxRequestBytes);
    }
    return new BoundedInputStream(request.getInputStream(), maxRequestBytes);
  }
}
