package dev.agentfeed.ingest.events;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.ingest.IngestProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/sessions/{sessionId}/openhands}: the events of an OpenHands conversation, as a
 * JSON array ({@code application/json}, e.g. the conversation's events as its API lists them) or
 * one per line ({@code application/x-ndjson}, streamed as they happen). Converted by {@code
 * OpenHandsEvents}; answered like {@code POST /v1/events}.
 */
@RestController
final class OpenHandsController {

  static final String PATH = "/v1/sessions/{sessionId}/openhands";

  private final EventIngest ingest;
  private final long maxRequestBytes;

  OpenHandsController(EventIngest ingest, IngestProperties properties) {
    this.ingest = ingest;
    this.maxRequestBytes = properties.maxRequestSize().toBytes();
  }

  @PostMapping(path = PATH, consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<IngestReport> postJson(
      @AuthenticationPrincipal Jwt token,
      @PathVariable String sessionId,
      HttpServletRequest request)
      throws IOException {
    return post(token, sessionId, request, true);
  }

  @PostMapping(path = PATH, consumes = MediaType.APPLICATION_NDJSON_VALUE)
  ResponseEntity<IngestReport> postNdjson(
      @AuthenticationPrincipal Jwt token,
      @PathVariable String sessionId,
      HttpServletRequest request)
      throws IOException {
    return post(token, sessionId, request, false);
  }

  private ResponseEntity<IngestReport> post(
      Jwt token, String sessionId, HttpServletRequest request, boolean jsonArray)
      throws IOException {
    Caller caller = Caller.of(token);
    return ResponseEntity.accepted()
        .body(
            ingest.ingestOpenHands(
                caller,
                sessionId,
                SessionBody.open(caller, sessionId, request, maxRequestBytes),
                jsonArray));
  }
}
