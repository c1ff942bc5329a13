package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.replay.ReplayFolder;
import dev.agentfeed.archiver.replay.ReplayManifest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What S3 holds for one session, as the archiver found it and then changed it: the folder, the
 * latest manifest (null before the first), the segments no manifest lists, and the seq up to which
 * every event is in S3 ({@code covered}), so events at or below it are never written again.
 * Headless: the session's start is not in S3 within the lookback, so its events stay segments
 * without a manifest.
 */
final class SessionFolder {

  /** A segment object, named by its seq range. */
  record Segment(String key, long firstSeq, long lastSeq) {}

  private final ReplayFolder folder;
  private final boolean headless;
  private ReplayManifest manifest;
  private final List<Segment> segments;
  private long covered;

  /**
   * @param firstSeq the first seq read for the session: a headless session's coverage starts just
   *     before it
   */
  SessionFolder(
      ReplayFolder folder,
      boolean headless,
      ReplayManifest manifest,
      List<Segment> segments,
      long firstSeq) {
    this.folder = folder;
    this.headless = headless;
    this.manifest = manifest;
    this.segments = new ArrayList<>(segments);
    this.segments.sort(Comparator.comparingLong(Segment::firstSeq));
    long base = manifest == null ? 0 : manifest.lastSeq();
    if (headless) {
      base = firstSeq - 1;
    }
    this.covered = chain(base);
  }

  /** How far the segments continue, gap-free, from {@code base}. */
  private long chain(long base) {
    long end = base;
    for (Segment segment : segments) {
      if (segment.firstSeq() <= end + 1 && segment.lastSeq() > end) {
        end = segment.lastSeq();
      }
    }
    return end;
  }

  ReplayFolder folder() {
    return folder;
  }

  boolean headless() {
    return headless;
  }

  ReplayManifest manifest() {
    return manifest;
  }

  /** The seq every event up to which is in S3. */
  long covered() {
    return covered;
  }

  /** Segments no manifest lists, in seq order. */
  List<Segment> segments() {
    return List.copyOf(segments);
  }

  /** The unlisted segments holding events after the latest manifest. */
  List<Segment> pending() {
    long base = manifest == null ? 0 : manifest.lastSeq();
    return segments.stream().filter(s -> s.lastSeq() > base).toList();
  }

  void segmentWritten(Segment segment) {
    segments.removeIf(s -> s.key().equals(segment.key()));
    segments.add(segment);
    segments.sort(Comparator.comparingLong(Segment::firstSeq));
    covered = Math.max(covered, segment.lastSeq());
  }

  void manifestWritten(ReplayManifest value) {
    manifest = value;
    covered = Math.max(covered, value.lastSeq());
  }

  void segmentDeleted(Segment segment) {
    segments.remove(segment);
  }

  /** Whether the latest manifest lists the key. */
  boolean listed(String key) {
    return manifest != null && manifest.objects().stream().anyMatch(o -> o.key().equals(key));
  }
}
