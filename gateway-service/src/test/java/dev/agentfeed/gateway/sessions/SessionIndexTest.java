package dev.agentfeed.gateway.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.gateway.feed.SessionDirectory;
import dev.agentfeed.model.SessionRef;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionIndexTest {

  private static final Instant T = Instant.parse("2026-01-30T12:00:00Z");

  @Test
  void shouldListOnlyTheOrganisationsSessionsMostRecentlyActiveFirst() {
    SessionIndex index = new SessionIndex(10, Long.MAX_VALUE, new SessionDirectory(10));
    put(index, "org-a", "ses-1", "completed", 10);
    put(index, "org-a", "ses-2", "running", 30);
    put(index, "org-b", "ses-3", "running", 40);
    put(index, "org-a", "ses-4", "idle", 20);

    assertThat(ids(index.list("org-a", false))).containsExactly("ses-2", "ses-4", "ses-1");
    assertThat(ids(index.list("org-a", true))).containsExactly("ses-2", "ses-4");
  }

  @Test
  void shouldForgetTheLeastRecentlyUpdatedSessionBeyondItsSize() {
    SessionIndex index = new SessionIndex(2, Long.MAX_VALUE, new SessionDirectory(10));
    put(index, "org-a", "ses-1", "running", 10);
    put(index, "org-a", "ses-2", "running", 20);
    put(index, "org-a", "ses-1", "running", 30);
    put(index, "org-a", "ses-3", "running", 40);

    assertThat(ids(index.list("org-a", false))).containsExactly("ses-3", "ses-1");
  }

  @Test
  void shouldForgetTheLeastRecentlyUpdatedSessionsBeyondItsBytes() {
    SessionIndex index = new SessionIndex(10, 250, new SessionDirectory(10));
    put(index, "org-a", "ses-1", "running", 10, 100);
    put(index, "org-a", "ses-2", "running", 20, 100);
    put(index, "org-a", "ses-3", "running", 30, 100);

    assertThat(ids(index.list("org-a", false))).containsExactly("ses-3", "ses-2");
  }

  @Test
  void shouldTellTheDirectoryWhichOrganisationASessionBelongsTo() {
    SessionDirectory directory = new SessionDirectory(10);
    SessionIndex index = new SessionIndex(10, Long.MAX_VALUE, directory);

    put(index, "org-b", "ses-1", "running", 10);

    assertThat(directory.knownOnlyElsewhere("org-a", "ses-1")).isTrue();
  }

  private static void put(SessionIndex index, String org, String session, String status, int at) {
    put(index, org, session, status, at, 0);
  }

  private static void put(
      SessionIndex index, String org, String session, String status, int at, int bytes) {
    SessionSummary summary =
        new SessionSummary(
            org,
            session,
            "agent",
            status,
            T,
            T.plusSeconds(at),
            T,
            1,
            1,
            0,
            0,
            0,
            0,
            0,
            null,
            null);
    index.put(new SessionRef(org, session), summary, new byte[bytes]);
  }

  private static List<String> ids(List<SessionSummary> sessions) {
    return sessions.stream().map(SessionSummary::sessionId).toList();
  }
}
