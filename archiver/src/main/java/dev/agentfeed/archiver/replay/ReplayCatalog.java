package dev.agentfeed.archiver.replay;

import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.model.SessionRef;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds archived sessions of one org in the bucket, for the auditor API and CLI. It reads only the
 * layout ({@code replays/org=ORG/date=DAY/session=SESSION/manifest.json}), never an index of its
 * own, so what it lists is exactly what a plain S3 client sees.
 */
public final class ReplayCatalog {

  private static final String DATE = "date=";
  private static final String SESSION = "session=";

  private final ReplayStore store;
  private final ReplayCodec codec;

  public ReplayCatalog(ReplayStore store, ReplayCodec codec) {
    this.store = store;
    this.codec = codec;
  }

  /** An archived session: its folder and its latest manifest. */
  public record Entry(ReplayFolder folder, ReplayManifest manifest) {}

  /**
   * The org's sessions whose first event fell on a day from {@code from} to {@code to} (both
   * inclusive; null for open), in date then session order. A folder without a readable manifest
   * (being written, or only a headless segment) is left out.
   */
  public List<Entry> list(String orgId, LocalDate from, LocalDate to) {
    return list(orgId, from, to, Integer.MAX_VALUE);
  }

  /**
   * As {@link #list(String, LocalDate, LocalDate)}, stopping after {@code limit} sessions (each
   * costs one GET of its manifest).
   */
  public List<Entry> list(String orgId, LocalDate from, LocalDate to, int limit) {
    List<Entry> entries = new ArrayList<>();
    for (LocalDate day : days(orgId)) {
      if ((from != null && day.isBefore(from)) || (to != null && day.isAfter(to))) {
        continue;
      }
      String dayPrefix = orgPrefix(orgId) + DATE + day + "/";
      for (String sessionFolder : store.folders(dayPrefix)) {
        if (entries.size() >= limit) {
          return entries;
        }
        String sessionId = between(sessionFolder, dayPrefix + SESSION, "/");
        ReplayFolder folder = new ReplayFolder(new SessionRef(orgId, sessionId), day);
        manifest(folder).ifPresent(m -> entries.add(new Entry(folder, m)));
      }
    }
    return entries;
  }

  /**
   * The session's latest manifest, looked for on every day the org has replays, newest first (a
   * session's folder is the day of its first event, which the caller need not know).
   */
  public Optional<Entry> find(String orgId, String sessionId) {
    List<LocalDate> days = new ArrayList<>(days(orgId));
    days.sort(Comparator.reverseOrder());
    for (LocalDate day : days) {
      ReplayFolder folder = new ReplayFolder(new SessionRef(orgId, sessionId), day);
      Optional<ReplayManifest> manifest = manifest(folder);
      if (manifest.isPresent()) {
        return Optional.of(new Entry(folder, manifest.get()));
      }
    }
    return Optional.empty();
  }

  /**
   * The folder's {@code manifest.json}.
   *
   * @throws tools.jackson.core.JacksonException when it is not a manifest
   * @throws IllegalArgumentException when its format version is unknown
   */
  public Optional<ReplayManifest> manifest(ReplayFolder folder) {
    return store.get(folder.manifestKey()).map(codec::readManifest);
  }

  private List<LocalDate> days(String orgId) {
    String prefix = orgPrefix(orgId);
    List<LocalDate> days = new ArrayList<>();
    for (String folder : store.folders(prefix)) {
      try {
        days.add(LocalDate.parse(between(folder, prefix + DATE, "/")));
      } catch (DateTimeParseException | IllegalArgumentException e) {
        // Not a folder the archiver writes (someone else's object in the bucket): not a replay.
      }
    }
    return days;
  }

  private static String orgPrefix(String orgId) {
    return ReplayFolder.ROOT + "org=" + orgId + "/";
  }

  private static String between(String value, String prefix, String suffix) {
    if (!value.startsWith(prefix) || !value.endsWith(suffix)) {
      throw new IllegalArgumentException(value + " is not under " + prefix);
    }
    return value.substring(prefix.length(), value.length() - suffix.length());
  }
}
