package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.SessionRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything the archiver holds for one partition of {@code events.enriched} (key sessionId): open
 * sessions, and finished sessions waiting to be compacted, in the order they finished. A session's
 * events after its end event start a new session entry, which waits until the finished one is done
 * (its late events then become the next manifest version, as in a run without waiting). The
 * partition may be committed up to the first offset of any session still held.
 */
final class PartitionWriter {

  private final TopicPartition partition;
  private final Supplier<UploadBackoff> backoffs;
  private final Map<SessionRef, OpenSession> open = new LinkedHashMap<>();
  private final List<OpenSession> finished = new ArrayList<>();

  PartitionWriter(TopicPartition partition, Supplier<UploadBackoff> backoffs) {
    this.partition = partition;
    this.backoffs = backoffs;
  }

  TopicPartition partition() {
    return partition;
  }

  /** The open session's entry, or null when the session is not open here. */
  OpenSession open(SessionRef session) {
    return open.get(session);
  }

  /**
   * @return the bytes held grew by
   */
  long add(long offset, SessionRef session, BufferedEvent event, Instant now) {
    OpenSession entry =
        open.computeIfAbsent(session, s -> new OpenSession(s, offset, backoffs.get()));
    long grown = entry.add(event, now);
    if (event.type().endsSession()) {
      finish(
          entry,
          event.type() == EventType.SESSION_FAILED
              ? SessionStatus.FAILED
              : SessionStatus.COMPLETED);
    }
    return grown;
  }

  /** Finishes every open session that had no event for the idle timeout. */
  void finishIdle(Instant now, Duration idleTimeout) {
    Iterator<OpenSession> sessions = open.values().iterator();
    while (sessions.hasNext()) {
      OpenSession session = sessions.next();
      if (session.isIdle(now, idleTimeout)) {
        sessions.remove();
        session.finish(SessionStatus.IDLE);
        finished.add(session);
      }
    }
  }

  /**
   * The sessions S3 work may be done for now, oldest first: finished ones in the order they
   * finished, then open ones. A session with an older entry still unfinished in S3 waits for it.
   */
  List<OpenSession> workable() {
    List<OpenSession> workable = new ArrayList<>();
    Set<SessionRef> waiting = new HashSet<>();
    for (OpenSession session : finished) {
      if (waiting.add(session.session())) {
        workable.add(session);
      }
    }
    for (OpenSession session : open.values()) {
      if (!waiting.contains(session.session())) {
        workable.add(session);
      }
    }
    return workable;
  }

  /** Forgets a finished session: it is compacted in S3. */
  void done(OpenSession session) {
    if (!finished.remove(session)) {
      throw new IllegalStateException("not a finished session: " + session.session().key());
    }
    session.close();
  }

  /**
   * The offset to commit: the first offset of any session still held, or the consumer's position
   * when nothing is held.
   */
  long committableOffset(long position) {
    OptionalLong firstHeld =
        Stream.concat(open.values().stream(), finished.stream())
            .mapToLong(OpenSession::holdOffset)
            .min();
    return firstHeld.orElse(position);
  }

  /** Drops everything held; the events are read again from the committable offset. */
  void clear() {
    Stream.concat(open.values().stream(), finished.stream()).forEach(OpenSession::close);
    open.clear();
    finished.clear();
  }

  /** Every session held, largest pending memory first (the first to spill). */
  List<OpenSession> byMemory() {
    return Stream.concat(open.values().stream(), finished.stream())
        .sorted(Comparator.comparingLong((OpenSession s) -> s.pending().memoryBytes()).reversed())
        .toList();
  }

  long memoryBytes() {
    return Stream.concat(open.values().stream(), finished.stream())
        .mapToLong(s -> s.pending().memoryBytes())
        .sum();
  }

  long spoolBytes() {
    return Stream.concat(open.values().stream(), finished.stream())
        .mapToLong(s -> s.pending().spoolBytes())
        .sum();
  }

  int sessions() {
    return open.size() + finished.size();
  }

  int finishedSessions() {
    return finished.size();
  }

  private void finish(OpenSession session, SessionStatus status) {
    open.remove(session.session());
    session.finish(status);
    finished.add(session);
  }
}
