package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.ReplayFolder;
import dev.agentfeed.archiver.replay.ReplayManifest;
import dev.agentfeed.archiver.replay.ReplayObject;
import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.model.SessionRef;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes one session's events to S3 and finishes it there. While the session runs, its pending
 * events go into segments named by their seq range ({@link #writeSegment}). When it ends (or goes
 * idle) it is compacted ({@link #finish}): every event after the latest manifest — from memory, the
 * spool, or segments already in S3 — is written again as one gzip stream: {@code replay.jsonl.gz}
 * and manifest version 1 for a new session, or one segment and the next manifest version for events
 * after an earlier manifest. Then the segments it merged are deleted. Names and bytes depend only
 * on the events, so writing a session again after a crash gives the same objects, however the
 * earlier run had cut its segments.
 */
final class SessionArchiver {

  private static final Logger log = LoggerFactory.getLogger(SessionArchiver.class);
  private static final String JSON = "application/json";
  private static final Pattern SEGMENT = Pattern.compile("segment-(\\d+)-(\\d+)\\.jsonl\\.gz");

  private final ReplayStore store;
  private final ReplayCodec codec;
  private final JsonMapper mapper;
  private final Duration tailLookback;
  private final Path spoolDir;
  private final long inMemoryLimit;
  private final ArchiveListener listener;

  /**
   * @param spoolDir where large objects are assembled before upload
   * @param inMemoryLimit pending events up to this size are compressed in memory, larger ones into
   *     a file of the spool directory
   */
  SessionArchiver(
      ReplayStore store,
      ReplayCodec codec,
      JsonMapper mapper,
      Duration tailLookback,
      Path spoolDir,
      long inMemoryLimit,
      ArchiveListener listener) {
    this.store = store;
    this.codec = codec;
    this.mapper = mapper;
    this.tailLookback = tailLookback;
    this.spoolDir = spoolDir;
    this.inMemoryLimit = inMemoryLimit;
    this.listener = listener;
  }

  /** What finishing a session did. */
  enum Outcome {
    REPLAY_WRITTEN,
    SEGMENT_WRITTEN,
    ALREADY_ARCHIVED
  }

  /**
   * Archives a whole buffer at once: finds the folder and finishes the session with these events.
   * For callers that hold every event (tests, tools); the poll loop uses the steps one by one.
   */
  Outcome archive(SessionBuffer buffer, SessionStatus status) {
    SessionFolder folder = resolve(buffer.session(), buffer.firstSeq(), buffer.firstTs());
    return finish(folder, buffer, status);
  }

  /**
   * Finds the session's folder and what it holds. A session read from seq 1 lives in the folder of
   * its first event's day; a session read from a later seq (late events, a resumed session) in the
   * folder of an earlier day within the lookback that holds its objects, or else — headless — in
   * its own day's folder, where its events stay segments without a manifest.
   *
   * @throws software.amazon.awssdk.core.exception.SdkException when S3 cannot be read
   */
  SessionFolder resolve(SessionRef session, long firstSeq, Instant firstTs) {
    ReplayFolder own = ReplayFolder.of(session, firstTs);
    if (firstSeq == 1) {
      return scan(own, store.keys(own.prefix()), false, firstSeq);
    }
    LocalDate earliest = ReplayFolder.of(session, firstTs.minus(tailLookback)).date();
    for (LocalDate day = own.date(); !day.isBefore(earliest); day = day.minusDays(1)) {
      ReplayFolder folder = new ReplayFolder(session, day);
      List<String> keys = store.keys(folder.prefix());
      if (keys.isEmpty()) {
        continue;
      }
      SessionFolder found = scan(folder, keys, false, firstSeq);
      if (found.manifest() != null || found.covered() > 0) {
        return found;
      }
      if (day.equals(own.date())) {
        return scan(folder, keys, true, firstSeq);
      }
    }
    log.warn(
        "Session {} starts at seq {} here and has no manifest within {} before; its events stay"
            + " segments in {}",
        session.key(),
        firstSeq,
        tailLookback,
        own.prefix());
    return scan(own, List.of(), true, firstSeq);
  }

  private SessionFolder scan(
      ReplayFolder folder, List<String> keys, boolean headless, long firstSeq) {
    ReplayManifest manifest =
        keys.contains(folder.manifestKey()) ? manifest(folder).orElse(null) : null;
    List<SessionFolder.Segment> segments = new ArrayList<>();
    for (String key : keys) {
      Matcher name = SEGMENT.matcher(key.substring(folder.prefix().length()));
      boolean listed =
          manifest != null && manifest.objects().stream().anyMatch(o -> o.key().equals(key));
      if (name.matches() && !listed) {
        segments.add(
            new SessionFolder.Segment(
                key, Long.parseLong(name.group(1)), Long.parseLong(name.group(2))));
      }
    }
    return new SessionFolder(folder, headless, manifest, segments, firstSeq);
  }

  /**
   * Writes the pending events after what S3 already holds as one segment named by their seq range.
   * Nothing is written when S3 holds them all (a re-read after a restart).
   */
  void writeSegment(SessionFolder folder, SessionBuffer pending) {
    try (GzipObject segment = compress(pending.read(), folder.covered(), pending.bytes())) {
      if (segment == null) {
        return;
      }
      String key = folder.folder().segmentKey(segment.firstSeq(), segment.lastSeq());
      listener.writing(key);
      segment.putTo(store, key);
      listener.written(key);
      folder.segmentWritten(new SessionFolder.Segment(key, segment.firstSeq(), segment.lastSeq()));
    }
  }

  /**
   * Compacts the session: every event after the latest manifest into one object and the next
   * manifest version, then deletes the segments merged. The manifest comes after the object it
   * lists and the deletions after the manifest, so a manifest never names a missing object.
   */
  Outcome finish(SessionFolder folder, SessionBuffer pending, SessionStatus status) {
    if (folder.headless()) {
      writeSegment(folder, pending);
      return Outcome.SEGMENT_WRITTEN;
    }
    ReplayManifest previous = folder.manifest();
    long base = previous == null ? 0 : previous.lastSeq();
    GzipObject merged;
    if (folder.pending().isEmpty()) {
      merged = compress(pending.read(), base, pending.bytes());
    } else {
      // Some events are in S3 already: bring the rest there too, then merge from S3 alone.
      writeSegment(folder, pending);
      try (MergedSegments segments = new MergedSegments(folder.pending())) {
        merged = compress(segments, base, Long.MAX_VALUE);
      }
    }
    try (GzipObject object = merged) {
      if (object == null) {
        deleteMerged(folder, null);
        return Outcome.ALREADY_ARCHIVED;
      }
      String key =
          previous == null
              ? folder.folder().replayKey()
              : folder.folder().segmentKey(object.firstSeq(), object.lastSeq());
      if (object.gappy() || object.firstSeq() != base + 1) {
        // The processor numbers gap-free; a gap means events were lost upstream. Keep what exists.
        log.warn(
            "Session {} has {} events for seq {}..{} after seq {}; archiving it with the gaps",
            folder.folder().session().key(),
            object.events(),
            object.firstSeq(),
            object.lastSeq(),
            base);
      }
      listener.writing(key);
      object.putTo(store, key);
      listener.written(key);
      ReplayObject listed =
          new ReplayObject(
              key,
              object.size(),
              object.sha256(),
              object.events(),
              object.firstSeq(),
              object.lastSeq());
      ReplayManifest manifest =
          previous == null
              ? new ReplayManifest(
                  ReplayManifest.FORMAT_VERSION,
                  1,
                  folder.folder().session().orgId(),
                  folder.folder().session().sessionId(),
                  object.agentId(),
                  status,
                  object.events(),
                  object.firstSeq(),
                  object.lastSeq(),
                  object.firstTs(),
                  object.lastTs(),
                  List.of(listed))
              : previous.withAppended(listed, laterStatus(previous, status), object.lastTs());
      if (previous != null) {
        log.info(
            "Session {} got events seq {}..{} after manifest version {}; writing {} and version"
                + " {}",
            folder.folder().session().key(),
            object.firstSeq(),
            object.lastSeq(),
            previous.manifestVersion(),
            key,
            manifest.manifestVersion());
      }
      writeManifest(folder.folder(), manifest);
      folder.manifestWritten(manifest);
      deleteMerged(folder, key);
      return previous == null ? Outcome.REPLAY_WRITTEN : Outcome.SEGMENT_WRITTEN;
    }
  }

  /**
   * Late events that merely went quiet do not undo how the session ended; a late {@code
   * session.completed} or {@code session.failed} does.
   */
  private static SessionStatus laterStatus(ReplayManifest previous, SessionStatus status) {
    return status == null || status == SessionStatus.IDLE ? previous.status() : status;
  }

  /** Deletes the unlisted segments the latest manifest covers, except {@code keep}. */
  private void deleteMerged(SessionFolder folder, String keep) {
    if (folder.manifest() == null) {
      return;
    }
    for (SessionFolder.Segment segment : folder.segments()) {
      if (segment.lastSeq() <= folder.manifest().lastSeq()
          && !segment.key().equals(keep)
          && !folder.listed(segment.key())) {
        store.delete(segment.key());
        listener.deleted(segment.key());
        folder.segmentDeleted(segment);
      }
    }
  }

  private GzipObject compress(Iterator<EventLine> lines, long afterSeq, long sizeHint) {
    return GzipObject.write(lines, afterSeq, spoolDir, sizeHint > inMemoryLimit);
  }

  /**
   * Writes the version's own object, then {@code manifest.json}. A crash between the two leaves
   * {@code manifest.json} at the previous version, and the retry computes the same new version.
   */
  private void writeManifest(ReplayFolder folder, ReplayManifest manifest) {
    byte[] json = codec.writeManifest(manifest);
    String sha256 = ReplayCodec.sha256Hex(json);
    String versioned = folder.manifestKey(manifest.manifestVersion());
    listener.writing(versioned);
    store.put(versioned, json, JSON, sha256);
    listener.written(versioned);
    listener.writing(folder.manifestKey());
    store.put(folder.manifestKey(), json, JSON, sha256);
    listener.written(folder.manifestKey());
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

  /** The events of several segments, one segment after the other, each read as it is reached. */
  private final class MergedSegments implements Iterator<EventLine>, AutoCloseable {

    private final Iterator<SessionFolder.Segment> segments;
    private ObjectLines current;

    MergedSegments(List<SessionFolder.Segment> segments) {
      this.segments = segments.iterator();
    }

    @Override
    public boolean hasNext() {
      while (current == null || !current.hasNext()) {
        if (current != null) {
          current.close();
          current = null;
        }
        if (!segments.hasNext()) {
          return false;
        }
        SessionFolder.Segment segment = segments.next();
        InputStream in =
            store
                .open(segment.key())
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            segment.key() + " was listed a moment ago and is gone"));
        current = new ObjectLines(in, mapper, segment.key());
      }
      return true;
    }

    @Override
    public EventLine next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }

    @Override
    public void close() {
      if (current != null) {
        current.close();
      }
    }
  }
}
