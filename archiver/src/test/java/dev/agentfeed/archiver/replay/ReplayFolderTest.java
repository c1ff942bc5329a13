package dev.agentfeed.archiver.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.SessionRef;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayFolderTest {

  private final SessionRef session = new SessionRef("org-1", "ses:42");

  @Test
  void shouldLayOutKeysByOrgThenDateThenSession() {
    ReplayFolder folder = ReplayFolder.of(session, Instant.parse("2026-01-30T12:00:00.123Z"));

    assertThat(
            List.of(
                folder.prefix(),
                folder.replayKey(),
                folder.manifestKey(),
                folder.segmentKey(51, 1234)))
        .isEqualTo(
            List.of(
                "replays/org=org-1/date=2026-01-30/session=ses:42/",
                "replays/org=org-1/date=2026-01-30/session=ses:42/replay.jsonl.gz",
                "replays/org=org-1/date=2026-01-30/session=ses:42/manifest.json",
                "replays/org=org-1/date=2026-01-30/session=ses:42/segment-000000051-000001234.jsonl.gz"));
  }

  @Test
  void shouldDateTheFolderByTheUtcDayOfTheFirstEvent() {
    assertThat(
            List.of(
                ReplayFolder.of(session, Instant.parse("2026-01-30T23:59:59.999Z"))
                    .date()
                    .toString(),
                ReplayFolder.of(session, Instant.parse("2026-01-31T00:00:00Z")).date().toString()))
        .isEqualTo(List.of("2026-01-30", "2026-01-31"));
  }
}
