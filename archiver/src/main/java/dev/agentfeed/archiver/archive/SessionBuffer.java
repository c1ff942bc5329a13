package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.model.SessionRef;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

/**
 * The events of one session read from one partition and not yet in S3, ordered by seq. It remembers
 * the offset of its first event, below which the partition may be committed, and when it last grew,
 * for the idle timeout. Once finished it takes no more events: what arrives later for the session
 * starts a new buffer.
 */
final class SessionBuffer {

  private final SessionRef session;
  private final long firstOffset;
  private final TreeMap<Long, BufferedEvent> bySeq = new TreeMap<>();
  private long bytes;
  private Instant lastEventAt;
  private SessionStatus status;

  SessionBuffer(SessionRef session, long firstOffset) {
    this.session = session;
    this.firstOffset = firstOffset;
  }

  /**
   * Adds the event unless one with its seq is here already (a re-read gives the same event again).
   *
   * @return the bytes the buffer grew by
   */
  long add(BufferedEvent event, Instant now) {
    if (status != null) {
      throw new IllegalStateException("session " + session.key() + " is finished");
    }
    lastEventAt = now;
    if (bySeq.putIfAbsent(event.seq(), event) != null) {
      return 0;
    }
    bytes += event.sizeBytes();
    return event.sizeBytes();
  }

  boolean isIdle(Instant now, Duration idleTimeout) {
    return status == null && !lastEventAt.plus(idleTimeout).isAfter(now);
  }

  void finish(SessionStatus value) {
    this.status = value;
  }

  boolean isFinished() {
    return status != null;
  }

  /** How the session ended; null while the buffer is open. */
  SessionStatus status() {
    return status;
  }

  SessionRef session() {
    return session;
  }

  long firstOffset() {
    return firstOffset;
  }

  long bytes() {
    return bytes;
  }

  int size() {
    return bySeq.size();
  }

  /** The events in seq order. */
  List<BufferedEvent> events() {
    return List.copyOf(bySeq.values());
  }
}
