package dev.agentfeed.archiver.replay;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code manifest.json}: what a session folder holds. It is written after the objects it lists, so
 * a manifest always describes objects that exist. It holds nothing that depends on when or where it
 * was written (no write time, no host), so writing the same session again gives the same bytes.
 *
 * <p>A session archived once has manifest version 1 listing {@code replay.jsonl.gz}. Events that
 * arrive later go into a segment and a new version that lists every object so far: version N is
 * written as {@code manifest-vN.json} (never rewritten with other content) and then as {@code
 * manifest.json}, which is always the latest.
 *
 * @param formatVersion {@link #FORMAT_VERSION}; readers refuse versions they do not know
 * @param manifestVersion 1 for the first manifest of the session, one more for every later one
 * @param eventCount the events in all listed objects together
 * @param agentId the first agent id seen in the session, if any
 * @param firstTs the {@code ts} of the event with the lowest seq
 * @param lastTs the {@code ts} of the event with the highest seq
 */
@JsonPropertyOrder({
  "formatVersion",
  "manifestVersion",
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
    int manifestVersion,
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

  /** The next version: these objects' events appended after this manifest's last one. */
  public ReplayManifest withAppended(
      ReplayObject object, SessionStatus newStatus, Instant newLastTs) {
    List<ReplayObject> all = new ArrayList<>(objects);
    all.add(object);
    return new ReplayManifest(
        formatVersion,
        manifestVersion + 1,
        orgId,
        sessionId,
        agentId,
        newStatus,
        eventCount + object.events(),
        firstSeq,
        object.lastSeq(),
        firstTs,
        newLastTs,
        List.copyOf(all));
  }
}
