package dev.agentfeed.gateway.detail;

import dev.agentfeed.gateway.sessions.SessionIndex;
import dev.agentfeed.gateway.web.Problems;
import dev.agentfeed.gateway.web.SessionAccess;
import dev.agentfeed.model.SessionRef;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/sessions/{sessionId}/events/{eventId}/detail}: the full enriched event whose
 * tier-3 fields the live feed replaced by {@code {"detail":{…}}} references. Only a session of the
 * token's organisation that the gateway knows from {@code sessions.stats} is looked up; anything
 * else is a 404, so a token learns nothing about other organisations.
 */
@RestController
class DetailController {

  private static final int MAX_EVENT_ID_LENGTH = 256;

  /**
   * The gateway reads {@code feed.live} uncommitted but {@code events.enriched} committed, so a
   * detail reference can reach a dashboard up to one processor commit (100 ms by default) before
   * its event can be read; an event not found is looked for once more after this.
   */
  private static final Duration NOT_YET_COMMITTED = Duration.ofMillis(300);

  private final DetailLookup lookup;
  private final SessionIndex index;

  DetailController(DetailLookup lookup, SessionIndex index) {
    this.lookup = lookup;
    this.index = index;
  }

  @GetMapping(
      path = "/v1/sessions/{sessionId}/events/{eventId}/detail",
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<byte[]> detail(
      @AuthenticationPrincipal Jwt jwt,
      @PathVariable String sessionId,
      @PathVariable String eventId) {
    SessionRef session = SessionAccess.authorize(jwt, sessionId);
    if (eventId.isEmpty() || eventId.length() > MAX_EVENT_ID_LENGTH) {
      throw Problems.of(
          HttpStatus.BAD_REQUEST,
          "eventId must be 1 to " + MAX_EVENT_ID_LENGTH + " characters long");
    }
    SessionIndex.Entry entry =
        index.get(session).orElseThrow(() -> Problems.sessionNotFound(sessionId));
    DetailLookup.Result result = lookup.find(session, eventId, entry.summary().firstRecordAt());
    if (result instanceof DetailLookup.Result.Missing) {
      pause(NOT_YET_COMMITTED);
      result = lookup.find(session, eventId, entry.summary().firstRecordAt());
    }
    if (result instanceof DetailLookup.Result.Found found) {
      return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(found.json());
    }
    if (result instanceof DetailLookup.Result.Busy) {
      throw Problems.of(
          HttpStatus.SERVICE_UNAVAILABLE, "every detail reader is busy; try again in a moment");
    }
    throw Problems.of(
        HttpStatus.NOT_FOUND,
        "session " + sessionId + " has no event " + eventId + " in the retained history");
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
