package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Archives sessions with the archiver's own writer ({@link SessionArchiver}), for tests of the
 * tools that read the archive (CLI, API): what they read is exactly what the archiver writes.
 */
public final class TestArchives {

  private static final EventCodec EVENTS = new EventCodec();

  private final SessionArchiver archiver;

  public TestArchives(S3Client s3, String bucket) {
    this.archiver =
        new SessionArchiver(
            new ReplayStore(s3, bucket), new ReplayCodec(EVENTS.mapper()), Duration.ofDays(2));
  }

  /**
   * Archives these events of one session as one finished buffer: the replay and manifest version 1
   * when they start at seq 1, else a segment and the next manifest version.
   */
  public void archive(List<EventEnvelope> events, SessionStatus status) {
    EventEnvelope first = events.get(0);
    SessionBuffer buffer = new SessionBuffer(first.session(), 0);
    long offset = 0;
    for (EventEnvelope event : events) {
      buffer.add(
          new BufferedEvent(
              offset++,
              event.seq(),
              event.ts(),
              event.type(),
              event.agentId(),
              EVENTS.toBytes(event)),
          Instant.EPOCH);
    }
    buffer.finish(status);
    archiver.archive(buffer);
  }
}
