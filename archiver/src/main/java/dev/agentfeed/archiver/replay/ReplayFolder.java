package dev.agentfeed.archiver.replay;

import dev.agentfeed.model.SessionRef;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * Where one session's objects live: {@code
 * replays/org=<orgId>/date=<YYYY-MM-DD>/session=<sessionId>/}, the date being the UTC day of the
 * session's first event. The org comes first so that one org's replays can be listed, granted or
 * expired on their own; ids cannot contain {@code /} (see {@code Ids}), so every key is
 * unambiguous.
 */
public record ReplayFolder(SessionRef session, LocalDate date) {

  public static final String ROOT = "replays/";
  public static final String REPLAY = "replay.jsonl.gz";
  public static final String MANIFEST = "manifest.json";

  /** The folder of a session whose first event (seq 1) has this timestamp. */
  public static ReplayFolder of(SessionRef session, Instant firstEventTs) {
    return new ReplayFolder(session, firstEventTs.atOffset(ZoneOffset.UTC).toLocalDate());
  }

  public String prefix() {
    return ROOT
        + "org="
        + session.orgId()
        + "/date="
        + date
        + "/session="
        + session.sessionId()
        + "/";
  }

  public String key(String name) {
    return prefix() + name;
  }

  /**
   * {@code manifest-v<N>.json}: version N of the manifest, kept when a later version is written.
   */
  public String manifestKey(int manifestVersion) {
    return key(manifestName(manifestVersion));
  }

  public static String manifestName(int manifestVersion) {
    return "manifest-v" + manifestVersion + ".json";
  }

  public String replayKey() {
    return key(REPLAY);
  }

  /** The latest manifest. */
  public String manifestKey() {
    return key(MANIFEST);
  }

  /** Events that arrived after the session was archived, named by their seq range. */
  public String segmentKey(long firstSeq, long lastSeq) {
    return key(segmentName(firstSeq, lastSeq));
  }

  /** Nine digits keep segments in seq order when listed (up to seq 999,999,999). */
  public static String segmentName(long firstSeq, long lastSeq) {
    return String.format(Locale.ROOT, "segment-%09d-%09d.jsonl.gz", firstSeq, lastSeq);
  }
}
