package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.ReplayFolder;
import dev.agentfeed.archiver.replay.ReplayManifest;
import dev.agentfeed.archiver.replay.ReplayObject;
import dev.agentfeed.archiver.replay.SessionStatus;
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
 * replay.jsonl.gz} and then manifest version 1; names and bytes depend only on the events, so
 * writing it again after a crash gives the same objects. Once a session has a manifest nothing
 * already archived is rewritten: events after the manifest's last seq (late events, a resumed
 * session, a re-read that went further) go into a segment named by their seq range and a new
 * manifest version; events it already covers are left as they are.
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
    SessionRef session = buffer.session();
    Optional<Located> existing =
        first.seq() == 1
            ? located(ReplayFolder.of(session, first.ts()))
            : findManifest(session, first.ts());
    if (existing.isPresent()) {
      return appendLate(existing.get(), buffer, events);
    }
    if (first.seq() == 1) {
      writeReplay(ReplayFolder.of(session, first.ts()), buffer, events);
      return Outcome.REPLAY_WRITTEN;
    }
    writeHeadless(session, events);
    return Outcome.SEGMENT_WRITTEN;
  }

  /**
   * Events after the manifest's last seq go into a segment named by their seq range and a new
   * manifest version that lists it after every object so far. The replay and the earlier versions
   * stay as they are: what an auditor fetched before is still there, byte for byte.
   */
  private Outcome appendLate(Located existing, SessionBuffer buffer, List<BufferedEvent> events) {
    ReplayManifest previous = existing.manifest();
    List<BufferedEvent> late = events.stream().filter(e -> e.seq() > previous.lastSeq()).toList();
    if (late.isEmpty()) {
      return Outcome.ALREADY_ARCHIVED;
    }
    BufferedEvent first = late.get(0);
    BufferedEvent last = late.get(late.size() - 1);
    ReplayFolder folder = existing.folder();
    String key = folder.segmentKey(first.seq(), last.seq());
    log.warn(
        "Session {} got events seq {}..{} after it was archived up to seq {}; writing them to {}"
            + " and manifest version {}",
        buffer.session().key(),
        first.seq(),
        last.seq(),
        previous.lastSeq(),
        key,
        previous.manifestVersion() + 1);
    if (first.seq() != previous.lastSeq() + 1 || isGappy(late)) {
      log.warn(
          "Session {} has gaps in seq {}..{}", buffer.session().key(), first.seq(), last.seq());
    }
    byte[] bytes = codec.gzipLines(late.stream().map(BufferedEvent::line).toList());
    String sha256 = ReplayCodec.sha256Hex(bytes);
    store.put(key, bytes, GZIP, sha256);
    ReplayObject segment =
        new ReplayObject(key, bytes.length, sha256, late.size(), first.seq(), last.seq());
    // Late events that merely went quiet do not undo how the session ended; a late
    // session.completed or session.failed does.
    SessionStatus status =
        buffer.status() == null || buffer.status() == SessionStatus.IDLE
            ? previous.status()
            : buffer.status();
    writeManifest(folder, previous.withAppended(segment, status, last.ts()));
    return Outcome.SEGMENT_WRITTEN;
  }

  /**
   * A tail without any manifest within the lookback: its head was archived somewhere this archiver
   * cannot find, so it is kept as a segment rather than passed off as a whole replay.
   */
  private void writeHeadless(SessionRef session, List<BufferedEvent> events) {
    BufferedEvent first = events.get(0);
    BufferedEvent last = events.get(events.size() - 1);
    ReplayFolder folder = ReplayFolder.of(session, first.ts());
    String key = folder.segmentKey(first.seq(), last.seq());
    log.warn(
        "Session {} starts at seq {} here and has no manifest within {} before; writing its"
            + " events to {} rather than a replay",
        session.key(),
        first.seq(),
        tailLookback,
        key);
    byte[] bytes = codec.gzipLines(events.stream().map(BufferedEvent::line).toList());
    store.put(key, bytes, GZIP, ReplayCodec.sha256Hex(bytes));
  }

  private static boolean isGappy(List<BufferedEvent> events) {
    return events.get(events.size() - 1).seq() - events.get(0).seq() + 1 != events.size();
  }

  private void writeReplay(ReplayFolder folder, SessionBuffer buffer, List<BufferedEvent> events) {
    BufferedEvent first = events.get(0);
    BufferedEvent last = events.get(events.size() - 1);
    if (isGappy(events)) {
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
            1,
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
    writeManifest(folder, manifest);
  }

  /**
   * Writes the version's own object, then {@code manifest.json}. Both come after the objects they
   * list, so a manifest never names an object that is not there yet; a crash between the two leaves
   * {@code manifest.json} at the previous version, and the retry computes the same new version.
   */
  private void writeManifest(ReplayFolder folder, ReplayManifest manifest) {
    byte[] json = codec.writeManifest(manifest);
    String sha256 = ReplayCodec.sha256Hex(json);
    store.put(folder.manifestKey(manifest.manifestVersion()), json, JSON, sha256);
    store.put(folder.manifestKey(), json, JSON, sha256);
  }

  private Optional<Located> located(ReplayFolder folder) {
    return manifest(folder).map(m -> new Located(folder, m));
  }

  /** The session's manifest in the folder of the day its tail started or one of the days before. */
  private Optional<Located> findManifest(SessionRef session, Instant tailStart) {
    LocalDate day = ReplayFolder.of(session, tailStart).date();
    LocalDate earliest = ReplayFolder.of(session, tailStart.minus(tailLookback)).date();
    for (; !day.isBefore(earliest); day = day.minusDays(1)) {
      ReplayFolder folder = new ReplayFolder(session, day);
      Optional<Located> located = located(folder);
      if (located.isPresent()) {
        return located;
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
