package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
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
    try {
      this.archiver =
          new SessionArchiver(
              new ReplayStore(s3, bucket),
              new ReplayCodec(EVENTS.mapper()),
              EVENTS.mapper(),
              Duration.ofDays(2),
              Files.createTempDirectory("test-archives"),
              8L * 1024 * 1024,
              ArchiveListener.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Archives these events of one session as one finished session: the replay and manifest version 1
   * when they start at seq 1, else a segment and the next manifest version.
   */
  public void archive(List<EventEnvelope> events, SessionStatus status) {
    try (SessionBuffer buffer = buffer(events)) {
      archiver.archive(buffer, status);
    }
  }

  static SessionBuffer buffer(List<EventEnvelope> events) {
    SessionBuffer buffer = new SessionBuffer(events.get(0).session());
    long offset = 0;
    for (EventEnvelope event : events) {
      buffer.add(
          new BufferedEvent(
              offset++,
              event.seq(),
              event.ts(),
              event.type(),
              event.agentId(),
              EVENTS.toBytes(event)));
    }
    return buffer;
  }
}
