package dev.agentfeed.ingest.events;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.ingest.IngestProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/sessions/{sessionId}/claude-code}: the output of {@code claude -p …
 * --output-format stream-json --verbose} piped as it is written (any content type, usually chunked
 * transfer). The org is the token's; a token confined to a session may post only to that session.
 * Answers like {@code POST /v1/events} once the events of the whole transcript are acknowledged.
 */
@RestController
final class ClaudeCodeController {

  static final String PATH = "/v1/sessions/{sessionId}/claude-code";

  private final EventIngest ingest;
  private final long maxRequestBytes;

  ClaudeCodeController(EventIngest ingest, IngestProperties properties) {
    this.ingest = ingest;
    this.maxRequestBytes = properties.maxRequestSize().toBytes();
  }

  @PostMapping(path = PATH)
  ResponseEntity<IngestReport> post(
      @AuthenticationPrincipal Jwt token,
      @PathVariable String sessionId,
      HttpServletRequest request)
      throws IOException {
    Caller caller = Caller.of(token);
    return ResponseEntity.accepted()
        .body(
            ingest.ingestClaudeCode(
                caller, sessionId, SessionBody.open(caller, sessionId, request, maxRequestBytes)));
  }
}
