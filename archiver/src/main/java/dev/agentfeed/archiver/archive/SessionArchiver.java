package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.ReplayFolder;
import dev.agentfeed.archiver.replay.ReplayManifest;
import dev.agentfeed.archiver.replay.ReplayObject;
import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.model.SessionRef;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * Writes one finished session to S3. A session read from its first event (seq 1) becomes {@code
 * replay.jsonl.gz} and then {@code manifest.json}; names and bytes depend only on the events, so
 * writing it again after a crash gives the same objects. A buffer that starts later (a re-read that
 * saw only the tail of a session) never replaces a replay: if the session's manifest already covers
 * it nothing is written, otherwise the events after the manifest go into a segment.
 */
final class SessionArchiver {

  private static final Logger log = LoggerFactory.getLogger(SessionArchiver.class);
  private static final String GZIP = "application/gzip";
  private static final String JSON = "application/json";

  private final ReplayStore store;
  private final ReplayCodec codec;
  private final Duration tailLookback;

  SessionArchiver(ReplayStore store, ReplayCodec codec, Duration tailLookback) {
    this.store = store;
    this.codec = codec;
    this.tailLookback = tailLookback;
  }

  /** What archiving a session did. */
  enum Outcome {
    REPLAY_WRITTEN,
    SEGMENT_WRITTEN,
    ALREADY_ARCHIVED
  }

  /**
   * @throws software.amazon.awssdk.core.exception.SdkException when S3 cannot be read or written;
   *     nothing is lost, the caller tries again
   */
  Outcome archive(SessionBuffer buffer) {
    List<BufferedEvent> events = buffer.events();
    BufferedEvent first = events.get(0);
    BufferedEvent last = events.get(events.size() - 1);
    if (first.seq() == 1) {
      ReplayFolder folder = ReplayFolder.of(buffer.session(), first.ts());
      Optional<ReplayManifest> existing = manifest(folder);
      if (existing.isPresent() && existing.get().covers(1, last.seq())) {
        return Outcome.ALREADY_ARCHIVED;
      }
      writeReplay(folder, buffer, events);
      return Outcome.REPLAY_WRITTEN;
    }
    return archiveTail(buffer.session(), events);
  }

  private Outcome archiveTail(SessionRef session, List<BufferedEvent> events) {
    BufferedEvent first = events.get(0);
    Optional<Located> existing = findManifest(session, first.ts());
    long archivedUpTo = existing.map(l -> l.manifest().lastSeq()).orElse(0L);
    List<BufferedEvent> late = events.stream().filter(e -> e.seq() > archivedUpTo).toList();
    if (late.isEmpty()) {
      return Outcome.ALREADY_ARCHIVED;
    }
    ReplayFolder folder =
        existing.map(Located::folder).orElseGet(() -> ReplayFolder.of(session, first.ts()));
    long firstSeq = late.get(0).seq();
    long lastSeq = late.get(late.size() - 1).seq();
    String key = folder.segmentKey(firstSeq, lastSeq);
    if (existing.isPresent()) {
      log.warn(
          "Session {} got events seq {}..{} after it was archived up to seq {}; writing them to {}",
          session.key(),
          firstSeq,
          lastSeq,
          archivedUpTo,
          key);
    } else {
      log.warn(
          "Session {} starts at seq {} here and has no manifest within {} before; writing its"
              + " events to {} rather than a replay",
          session.key(),
          firstSeq,
          tailLookback,
          key);
    }
    byte[] bytes = codec.gzipLines(late.stream().map(BufferedEvent::line).toList());
    store.put(key, bytes, GZIP, ReplayCodec.sha256Hex(bytes));
    return Outcome.SEGMENT_WRITTEN;
  }

  private void writeReplay(ReplayFolder folder, SessionBuffer buffer, List<BufferedEvent> events) {
    BufferedEvent first = events.get(0);
    BufferedEvent last = events.get(events.size() - 1);
    if (last.seq() - first.seq() + 1 != events.size()) {
      // The processor numbers gap-free; a gap means events were lost upstream. Archive what exists.
      log.warn(
          "Session {} has {} events for seq {}..{}; archiving it with the gaps",
          buffer.session().key(),
          events.size(),
          first.seq(),
          last.seq());
    }
    byte[] replay = codec.gzipLines(events.stream().map(BufferedEvent::line).toList());
    String sha256 = ReplayCodec.sha256Hex(replay);
    store.put(folder.replayKey(), replay, GZIP, sha256);
    ReplayManifest manifest =
        new ReplayManifest(
            ReplayManifest.FORMAT_VERSION,
            buffer.session().orgId(),
            buffer.session().sessionId(),
            events.stream()
                .map(BufferedEvent::agentId)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null),
            buffer.status(),
            events.size(),
            first.seq(),
            last.seq(),
            first.ts(),
            last.ts(),
            List.of(
                new ReplayObject(
                    folder.replayKey(),
                    replay.length,
                    sha256,
                    events.size(),
                    first.seq(),
                    last.seq())));
    byte[] json = codec.writeManifest(manifest);
    // Last, so that a manifest never lists an object that is not there yet.
    store.put(folder.manifestKey(), json, JSON, ReplayCodec.sha256Hex(json));
  }

  /** The session's manifest in the folder of the day its tail started or one of the days before. */
  private Optional<Located> findManifest(SessionRef session, Instant tailStart) {
    LocalDate day = ReplayFolder.of(session, tailStart).date();
    LocalDate earliest = ReplayFolder.of(session, tailStart.minus(tailLookback)).date();
    for (; !day.isBefore(earliest); day = day.minusDays(1)) {
      ReplayFolder folder = new ReplayFolder(session, day);
      Optional<ReplayManifest> manifest = manifest(folder);
      if (manifest.isPresent()) {
        return Optional.of(new Located(folder, manifest.get()));
      }
    }
    return Optional.empty();
  }

  /** The folder's manifest; one that cannot be read counts as absent, so it gets rewritten. */
  private Optional<ReplayManifest> manifest(ReplayFolder folder) {
    Optional<byte[]> bytes = store.get(folder.manifestKey());
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(codec.readManifest(bytes.get()));
    } catch (JacksonException | IllegalArgumentException e) {
      log.warn("Ignoring unreadable manifest {}", folder.manifestKey(), e);
      return Optional.empty();
    }
  }

  private record Located(ReplayFolder folder, ReplayManifest manifest) {}
}
