package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.SessionRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything the archiver holds for one partition of {@code events.enriched} (key sessionId): open
 * sessions, and finished sessions waiting for their upload, in the order they finished. The
 * partition may be committed up to the first offset of any session still held, since every event
 * below it is in S3 (or was never archivable and went to the dead-letter topic).
 */
final class PartitionWriter {

  private final TopicPartition partition;
  private final Map<SessionRef, SessionBuffer> open = new LinkedHashMap<>();
  private final ArrayDeque<SessionBuffer> finished = new ArrayDeque<>();
  private long bytes;

  PartitionWriter(TopicPartition partition) {
    this.partition = partition;
  }

  TopicPartition partition() {
    return partition;
  }

  void add(long offset, SessionRef session, BufferedEvent event, Instant now) {
    SessionBuffer buffer = open.computeIfAbsent(session, s -> new SessionBuffer(s, offset));
    bytes += buffer.add(event, now);
    if (event.type().endsSession()) {
      finish(
          buffer,
          event.type() == EventType.SESSION_FAILED
              ? SessionStatus.FAILED
              : SessionStatus.COMPLETED);
    }
  }

  /** Finishes every open session that had no event for the idle timeout. */
  void finishIdle(Instant now, Duration idleTimeout) {
    Iterator<SessionBuffer> buffers = open.values().iterator();
    while (buffers.hasNext()) {
      SessionBuffer buffer = buffers.next();
      if (buffer.isIdle(now, idleTimeout)) {
        buffers.remove();
        buffer.finish(SessionStatus.IDLE);
        finished.add(buffer);
      }
    }
  }

  /**
   * The oldest finished session not yet in S3, or null. Sessions are archived in the order they
   * finished, so a session's late events are never written before its replay.
   */
  SessionBuffer nextFinished() {
    return finished.peek();
  }

  /** Forgets the session returned by {@link #nextFinished()}: it is in S3 now. */
  void archived(SessionBuffer buffer) {
    if (finished.peek() != buffer) {
      throw new IllegalStateException("archived out of order: " + buffer.session().key());
    }
    finished.poll();
    bytes -= buffer.bytes();
  }

  /**
   * The offset to commit: the first offset of any session still held, or the consumer's position
   * when nothing is held.
   */
  long committableOffset(long position) {
    OptionalLong firstHeld =
        Stream.concat(open.values().stream(), finished.stream())
            .mapToLong(SessionBuffer::firstOffset)
            .min();
    return firstHeld.orElse(position);
  }

  /** Drops everything held; the events are read again from the committable offset. */
  void clear() {
    open.clear();
    finished.clear();
    bytes = 0;
  }

  long bytes() {
    return bytes;
  }

  int sessions() {
    return open.size() + finished.size();
  }

  int finishedSessions() {
    return finished.size();
  }

  private void finish(SessionBuffer buffer, SessionStatus status) {
    open.remove(buffer.session());
    buffer.finish(status);
    finished.add(buffer);
  }
}
