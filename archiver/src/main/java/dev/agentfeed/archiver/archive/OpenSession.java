package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.model.SessionRef;
import java.time.Duration;
import java.time.Instant;

/**
 * One session as a partition's writer holds it from its first event read until it is finished in
 * S3: its pending events, where its folder is (once looked up), how it ended, and the offset of its
 * first event — below which the partition may be committed while the session is held, so that a
 * restart reads the whole session again and can finish it. Each session has its own retry schedule,
 * so one failing session does not hold up the others.
 */
final class OpenSession implements AutoCloseable {

  private final SessionRef session;
  private final long holdOffset;
  private final SessionBuffer pending;
  private final UploadBackoff backoff;
  private long firstSeq = -1;
  private Instant firstTs;
  private Instant lastEventAt;
  private Instant pendingSince;
  private SessionStatus status;
  private SessionFolder folder;

  OpenSession(SessionRef session, long holdOffset, UploadBackoff backoff) {
    this.session = session;
    this.holdOffset = holdOffset;
    this.pending = new SessionBuffer(session);
    this.backoff = backoff;
  }

  /**
   * @return the bytes the pending events grew by
   */
  long add(BufferedEvent event, Instant now) {
    if (status != null) {
      throw new IllegalStateException("session " + session.key() + " is finished");
    }
    lastEventAt = now;
    long grown = pending.add(event);
    if (grown > 0) {
      if (firstSeq < 0) {
        firstSeq = event.seq();
        firstTs = event.ts();
      }
      if (pendingSince == null) {
        pendingSince = now;
      }
    }
    return grown;
  }

  boolean isIdle(Instant now, Duration idleTimeout) {
    return status == null && !lastEventAt.plus(idleTimeout).isAfter(now);
  }

  /** Whether the pending events are due as a segment: big enough, or waiting long enough. */
  boolean segmentDue(Instant now, long maxBytes, Duration maxAge) {
    return !pending.isEmpty()
        && (pending.bytes() >= maxBytes || !pendingSince.plus(maxAge).isAfter(now));
  }

  /** The pending events are in S3 now. */
  void segmentWritten() {
    pending.clear();
    pendingSince = null;
  }

  void finish(SessionStatus value) {
    status = value;
  }

  /** How the session ended; null while it is open. */
  SessionStatus status() {
    return status;
  }

  SessionRef session() {
    return session;
  }

  long holdOffset() {
    return holdOffset;
  }

  /** The first seq read for the session in this run. */
  long firstSeq() {
    return firstSeq;
  }

  Instant firstTs() {
    return firstTs;
  }

  SessionBuffer pending() {
    return pending;
  }

  UploadBackoff backoff() {
    return backoff;
  }

  /** The session's folder as last seen, or null when it must be looked up (again). */
  SessionFolder folder() {
    return folder;
  }

  void folder(SessionFolder value) {
    folder = value;
  }

  @Override
  public void close() {
    pending.clear();
  }
}
