package dev.agentfeed.archiver.replay;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.List;

/**
 * {@code manifest.json}: what a session folder holds. It is written after the objects it lists, so
 * a manifest always describes objects that exist. It holds nothing that depends on when or where it
 * was written (no write time, no host), so writing the same session again gives the same bytes.
 *
 * @param formatVersion {@link #FORMAT_VERSION}; readers refuse versions they do not know
 * @param agentId the first agent id seen in the session, if any
 * @param firstTs the {@code ts} of the event with the lowest seq
 * @param lastTs the {@code ts} of the event with the highest seq
 */
@JsonPropertyOrder({
  "formatVersion",
  "orgId",
  "sessionId",
  "agentId",
  "status",
  "eventCount",
  "firstSeq",
  "lastSeq",
  "firstTs",
  "lastTs",
  "objects"
})
public record ReplayManifest(
    int formatVersion,
    String orgId,
    String sessionId,
    String agentId,
    SessionStatus status,
    long eventCount,
    long firstSeq,
    long lastSeq,
    Instant firstTs,
    Instant lastTs,
    List<ReplayObject> objects) {

  public static final int FORMAT_VERSION = 1;

  /** Whether every seq from {@code from} to {@code to} is already archived under this manifest. */
  public boolean covers(long from, long to) {
    return firstSeq <= from && to <= lastSeq;
  }
}
