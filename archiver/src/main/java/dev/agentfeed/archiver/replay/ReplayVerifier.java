package dev.agentfeed.archiver.replay;

import dev.agentfeed.archiver.storage.ReplayStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks an archived session against its manifest without trusting the store: every listed object
 * is there with the listed size and SHA-256, holds the listed number of events of this org and
 * session within the listed seq range, and together the objects hold every seq from 1 to the
 * manifest's last exactly once, with the manifest's counts and timestamps. It also reads a verified
 * session's events in seq order for fetching and playing.
 */
public final class ReplayVerifier {

  /** How many gaps or duplicates are named one by one before the rest are counted. */
  private static final int MAX_NAMED = 10;

  private final ReplayStore store;
  private final ReplayCodec codec;
  private final JsonMapper mapper;

  public ReplayVerifier(ReplayStore store, ReplayCodec codec, JsonMapper mapper) {
    this.store = store;
    this.codec = codec;
    this.mapper = mapper;
  }

  /**
   * What verification found.
   *
   * @param problems what makes the replay untrustworthy; empty when it verified
   * @param warnings what is odd but leaves the listed events intact (e.g. an object the manifest
   *     does not list, left by an interrupted write)
   * @param events the events read from all listed objects
   * @param bytes the bytes of all listed objects that were found
   */
  public record Result(List<String> problems, List<String> warnings, long events, long bytes) {

    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /** Thrown when a session's objects do not match its manifest; the message says how. */
  public static final class IntegrityException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    IntegrityException(String message) {
      super(message);
    }
  }

  public Result verify(ReplayCatalog.Entry entry) {
    ReplayFolder folder = entry.folder();
    ReplayManifest manifest = entry.manifest();
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    checkVersionedCopy(folder, manifest, problems, warnings);
    TreeMap<Long, Integer> seqCounts = new TreeMap<>();
    TreeMap<Long, Instant> seqTs = new TreeMap<>();
    long events = 0;
    long bytes = 0;
    boolean allRead = true;
    for (ReplayObject object : manifest.objects()) {
      Optional<byte[]> content = fetch(folder, object, problems);
      if (content.isEmpty()) {
        allRead = false;
        continue;
      }
      bytes += content.get().length;
      byte[] text = gunzip(object, content.get(), problems);
      // Lines are checked as slices of the decompressed bytes: no String per event.
      int count = 0;
      for (int start = 0; start < text.length; ) {
        int end = start;
        while (end < text.length && text[end] != '\n') {
          end++;
        }
        count++;
        checkEvent(manifest, object, count, text, start, end - start, seqCounts, seqTs, problems);
        start = end + 1;
      }
      events += count;
      if (count != object.events()) {
        problems.add(
            object.key() + ": holds " + count + " events, the manifest says " + object.events());
      }
    }
    checkContinuity(manifest, seqCounts, problems);
    checkCounts(manifest, events, allRead ? seqTs : new TreeMap<>(), problems);
    warnUnlisted(folder, manifest, warnings);
    return new Result(List.copyOf(problems), List.copyOf(warnings), events, bytes);
  }

  /**
   * The session's event lines in seq order: the listed objects one after the other, each checked
   * against its size and SHA-256.
   *
   * @throws IntegrityException when an object is missing or does not match the manifest
   */
  public List<String> readLines(ReplayCatalog.Entry entry) {
    List<String> all = new ArrayList<>();
    for (ReplayObject object : entry.manifest().objects()) {
      List<String> problems = new ArrayList<>();
      Optional<byte[]> content = fetch(entry.folder(), object, problems);
      if (content.isPresent() && problems.isEmpty()) {
        all.addAll(lines(object, content.get(), problems));
      }
      if (!problems.isEmpty()) {
        throw new IntegrityException(String.join("; ", problems));
      }
    }
    return all;
  }

  /**
   * The listed objects' bytes (gzip), in the manifest's (seq) order, each checked against its size
   * and SHA-256 before any is returned — for serving a session without reading it twice. They are
   * held compressed, so a session of 100,000 events costs memory in the tens of megabytes.
   *
   * @throws IntegrityException when an object is missing or does not match the manifest
   */
  public List<byte[]> verifiedObjects(ReplayCatalog.Entry entry) {
    List<byte[]> objects = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (ReplayObject object : entry.manifest().objects()) {
      fetch(entry.folder(), object, problems).ifPresent(objects::add);
    }
    if (!problems.isEmpty()) {
      throw new IntegrityException(String.join("; ", problems));
    }
    return objects;
  }

  private Optional<byte[]> fetch(ReplayFolder folder, ReplayObject object, List<String> problems) {
    if (!object.key().startsWith(folder.prefix())) {
      problems.add(object.key() + ": listed in the manifest but outside " + folder.prefix());
      return Optional.empty();
    }
    Optional<byte[]> content = store.get(object.key());
    if (content.isEmpty()) {
      problems.add(object.key() + ": MISSING, listed in the manifest but not in the bucket");
      return Optional.empty();
    }
    byte[] bytes = content.get();
    if (bytes.length != object.bytes()) {
      problems.add(
          object.key() + ": " + bytes.length + " bytes, the manifest says " + object.bytes());
    }
    String sha256 = ReplayCodec.sha256Hex(bytes);
    if (!sha256.equals(object.sha256())) {
      problems.add(
          object.key()
              + ": CHECKSUM MISMATCH, sha256 is "
              + sha256
              + ", the manifest says "
              + object.sha256());
      return Optional.empty();
    }
    return content;
  }

  private static byte[] gunzip(ReplayObject object, byte[] content, List<String> problems) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(content), 64 * 1024)) {
      return in.readAllBytes();
    } catch (IOException e) {
      problems.add(object.key() + ": not a gzip object (" + e.getMessage() + ")");
      return new byte[0];
    }
  }

  private List<String> lines(ReplayObject object, byte[] content, List<String> problems) {
    try {
      return codec.readLines(content);
    } catch (UncheckedIOException e) {
      problems.add(object.key() + ": not a gzip object (" + e.getCause().getMessage() + ")");
      return List.of();
    }
  }

  private void checkEvent(
      ReplayManifest manifest,
      ReplayObject object,
      int lineNumber,
      byte[] text,
      int offset,
      int length,
      TreeMap<Long, Integer> seqCounts,
      TreeMap<Long, Instant> seqTs,
      List<String> problems) {
    String where = object.key() + " line " + lineNumber;
    EventFields event;
    try {
      event = EventFields.read(mapper, text, offset, length);
    } catch (JacksonException e) {
      problems.add(where + ": not a JSON event (" + e.getOriginalMessage() + ")");
      return;
    }
    long seq = event.seq();
    if (seq < 1) {
      problems.add(where + ": has no seq");
      return;
    }
    if (!manifest.orgId().equals(event.orgId())
        || !manifest.sessionId().equals(event.sessionId())) {
      problems.add(where + ": seq " + seq + " belongs to another org or session");
    }
    if (seq < object.firstSeq() || seq > object.lastSeq()) {
      problems.add(
          where
              + ": seq "
              + seq
              + " is outside the object's range "
              + object.firstSeq()
              + ".."
              + object.lastSeq());
    }
    seqCounts.merge(seq, 1, Integer::sum);
    try {
      seqTs.putIfAbsent(seq, Instant.parse(event.ts()));
    } catch (DateTimeParseException e) {
      problems.add(where + ": seq " + seq + " has no valid ts");
    }
  }

  private static void checkContinuity(
      ReplayManifest manifest, TreeMap<Long, Integer> seqCounts, List<String> problems) {
    List<String> gaps = new ArrayList<>();
    long missing = 0;
    long expected = 1;
    for (long seq : seqCounts.keySet()) {
      if (seq > expected) {
        missing += seq - expected;
        gaps.add(seq - 1 == expected ? "seq " + expected : "seq " + expected + ".." + (seq - 1));
      }
      expected = seq + 1;
    }
    if (manifest.lastSeq() >= expected) {
      missing += manifest.lastSeq() - expected + 1;
      gaps.add(
          manifest.lastSeq() == expected
              ? "seq " + expected
              : "seq " + expected + ".." + manifest.lastSeq());
    }
    if (missing > 0) {
      problems.add(
          "GAP: " + missing + " events missing from 1.." + manifest.lastSeq() + ": " + named(gaps));
    }
    List<String> duplicates =
        seqCounts.entrySet().stream()
            .filter(e -> e.getValue() > 1)
            .map(e -> "seq " + e.getKey() + " x" + e.getValue())
            .toList();
    if (!duplicates.isEmpty()) {
      problems.add(
          "DUPLICATE: " + duplicates.size() + " seqs appear more than once: " + named(duplicates));
    }
  }

  private static String named(List<String> items) {
    if (items.size() <= MAX_NAMED) {
      return String.join(", ", items);
    }
    return String.join(", ", items.subList(0, MAX_NAMED))
        + " and "
        + (items.size() - MAX_NAMED)
        + " more";
  }

  private static void checkCounts(
      ReplayManifest manifest, long events, TreeMap<Long, Instant> seqTs, List<String> problems) {
    if (manifest.eventCount() != events) {
      problems.add(
          "manifest says " + manifest.eventCount() + " events, the objects hold " + events);
    }
    long listed = manifest.objects().stream().mapToLong(ReplayObject::events).sum();
    if (listed != manifest.eventCount()) {
      problems.add(
          "manifest says " + manifest.eventCount() + " events but its objects list " + listed);
    }
    if (manifest.firstSeq() != 1) {
      problems.add("manifest's first seq is " + manifest.firstSeq() + ", not 1");
    }
    if (seqTs.isEmpty()) {
      // Nothing read, or an object is missing: the gap already says why the ends differ.
      return;
    }
    if (seqTs.lastKey() != manifest.lastSeq()) {
      problems.add(
          "manifest's last seq is "
              + manifest.lastSeq()
              + ", the objects end at "
              + seqTs.lastKey());
    }
    if (!seqTs.firstEntry().getValue().equals(manifest.firstTs())
        || !seqTs.lastEntry().getValue().equals(manifest.lastTs())) {
      problems.add(
          "manifest's timestamps "
              + manifest.firstTs()
              + ".."
              + manifest.lastTs()
              + " differ from the events' "
              + seqTs.firstEntry().getValue()
              + ".."
              + seqTs.lastEntry().getValue());
    }
  }

  private void checkVersionedCopy(
      ReplayFolder folder, ReplayManifest manifest, List<String> problems, List<String> warnings) {
    String versioned = folder.manifestKey(manifest.manifestVersion());
    Optional<byte[]> copy = store.get(versioned);
    Optional<byte[]> latest = store.get(folder.manifestKey());
    if (copy.isEmpty()) {
      warnings.add(versioned + " is missing; only " + ReplayFolder.MANIFEST + " was checked");
    } else if (latest.isPresent() && !Arrays.equals(copy.get(), latest.get())) {
      problems.add(
          ReplayFolder.MANIFEST + " differs from " + versioned + ", the version it claims to be");
    }
  }

  private void warnUnlisted(ReplayFolder folder, ReplayManifest manifest, List<String> warnings) {
    Set<String> known = new HashSet<>();
    manifest.objects().forEach(o -> known.add(o.key()));
    known.add(folder.manifestKey());
    for (int v = 1; v <= manifest.manifestVersion(); v++) {
      known.add(folder.manifestKey(v));
    }
    for (String key : store.keys(folder.prefix())) {
      if (!known.contains(key)) {
        warnings.add(key + " is not listed in manifest version " + manifest.manifestVersion());
      }
    }
  }

  /**
   * The top-level fields verification looks at, read with a streaming parser that skips the rest
   * (payloads are most of an event's bytes): a 100,000-event replay verifies in well under the time
   * a full tree per event would take.
   */
  private record EventFields(long seq, String orgId, String sessionId, String ts) {

    static EventFields read(JsonMapper mapper, byte[] text, int offset, int length) {
      long seq = -1;
      String orgId = "";
      String sessionId = "";
      String ts = "";
      try (JsonParser parser = mapper.createParser(text, offset, length)) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          return new EventFields(-1, orgId, sessionId, ts);
        }
        for (JsonToken token = parser.nextToken();
            token == JsonToken.PROPERTY_NAME;
            token = parser.nextToken()) {
          String name = parser.currentName();
          JsonToken value = parser.nextToken();
          switch (name) {
            case "seq" -> seq = seqOf(parser, value);
            case "orgId" -> orgId = value == JsonToken.VALUE_STRING ? parser.getString() : "";
            case "sessionId" ->
                sessionId = value == JsonToken.VALUE_STRING ? parser.getString() : "";
            case "ts" -> ts = value == JsonToken.VALUE_STRING ? parser.getString() : "";
            default -> parser.skipChildren();
          }
        }
        // Whatever follows the object must be nothing: one event per line.
        if (parser.nextToken() != null) {
          throw new IllegalStateException("more than one JSON value on the line");
        }
      } catch (IllegalStateException e) {
        return new EventFields(-1, orgId, sessionId, ts);
      }
      return new EventFields(seq, orgId, sessionId, ts);
    }

    private static long seqOf(JsonParser parser, JsonToken value) {
      if (value == JsonToken.VALUE_NUMBER_INT) {
        return parser.getLongValue();
      }
      if (value == JsonToken.VALUE_STRING) {
        try {
          return Long.parseLong(parser.getString());
        } catch (NumberFormatException e) {
          return -1;
        }
      }
      return -1;
    }
  }
}
