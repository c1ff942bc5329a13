package dev.agentfeed.gateway.sessions;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.gateway.web.Problems;
import dev.agentfeed.gateway.web.SessionAccess;
import dev.agentfeed.model.SessionRef;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/sessions} and {@code GET /v1/sessions/{sessionId}/stats}, from the {@code
 * sessions.stats} documents in the {@link SessionIndex}, always of the token's organisation only.
 */
@RestController
class SessionsController {

  private final SessionIndex index;

  SessionsController(SessionIndex index) {
    this.index = index;
  }

  @GetMapping(path = "/v1/sessions", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, List<SessionSummary>> list(
      @AuthenticationPrincipal Jwt jwt, @RequestParam(defaultValue = "all") String status) {
    boolean activeOnly =
        switch (status) {
          case "active" -> true;
          case "all" -> false;
          default ->
              throw Problems.of(
                  HttpStatus.BAD_REQUEST,
                  "status must be \"active\" or \"all\", was \"" + status + "\"");
        };
    Caller caller = Caller.of(jwt);
    List<SessionSummary> sessions = index.list(caller.orgId(), activeOnly);
    if (caller.sessionId().isPresent()) {
      String only = caller.sessionId().get();
      sessions = sessions.stream().filter(s -> s.sessionId().equals(only)).toList();
    }
    return Map.of("sessions", sessions);
  }

  @GetMapping(path = "/v1/sessions/{sessionId}/stats", produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<byte[]> stats(@AuthenticationPrincipal Jwt jwt, @PathVariable String sessionId) {
    SessionRef session = SessionAccess.authorize(jwt, sessionId);
    SessionIndex.Entry entry =
        index.get(session).orElseThrow(() -> Problems.sessionNotFound(sessionId));
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(entry.json());
  }
}
