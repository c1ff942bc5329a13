package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.storage.ReplayStore;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;

/**
 * One gzip JSON-lines object built from events in seq order, before it goes to S3: its bytes (in
 * memory, or in a file of the spool directory when large), SHA-256, and what the manifest says
 * about its events. It is written with {@code ReplayCodec.gzipOutput} like {@code
 * ReplayCodec.gzipLines} (each line then {@code \n}), so the same events give the same bytes
 * whether they come from memory, the spool or earlier segments.
 */
final class GzipObject implements AutoCloseable {

  private static final int BUFFER_BYTES = 64 * 1024;
  private static final String GZIP = "application/gzip";

  private final byte[] bytes;
  private final Path file;
  private final long size;
  private final String sha256;
  private final long events;
  private final long firstSeq;
  private final long lastSeq;
  private final Instant firstTs;
  private final Instant lastTs;
  private final String agentId;
  private final boolean gappy;

  private GzipObject(byte[] bytes, Path file, long size, String sha256, Summary summary) {
    this.bytes = bytes;
    this.file = file;
    this.size = size;
    this.sha256 = sha256;
    this.events = summary.events;
    this.firstSeq = summary.firstSeq;
    this.lastSeq = summary.lastSeq;
    this.firstTs = summary.firstTs;
    this.lastTs = summary.lastTs;
    this.agentId = summary.agentId;
    this.gappy = summary.gappy;
  }

  /**
   * Gzips the events with a seq above {@code afterSeq}, each seq once (the first seen wins; they
   * are the same event).
   *
   * @param spoolDir where to write the object when {@code inFile}
   * @return the object, or null when no event is above {@code afterSeq}
   */
  static GzipObject write(Iterator<EventLine> lines, long afterSeq, Path spoolDir, boolean inFile) {
    MessageDigest digest = newDigest();
    Summary summary = new Summary();
    Path file = null;
    ByteArrayOutputStream memory = null;
    try {
      OutputStream target;
      if (inFile) {
        file = Files.createTempFile(spoolDir, "object-", ".jsonl.gz");
        target = new BufferedOutputStream(Files.newOutputStream(file), BUFFER_BYTES);
      } else {
        memory = new ByteArrayOutputStream();
        target = memory;
      }
      CountingOutputStream counted =
          new CountingOutputStream(new DigestOutputStream(target, digest));
      // Lines reach the deflater in 64 KiB blocks rather than two calls per line (the line, then
      // its \n): fewer native calls, and the same bytes, since deflate's output does not depend
      // on how its input is split.
      try (OutputStream gzip =
          new BufferedOutputStream(ReplayCodec.gzipOutput(counted), BUFFER_BYTES)) {
        long last = afterSeq;
        while (lines.hasNext()) {
          EventLine event = lines.next();
          if (event.seq() <= last) {
            continue;
          }
          last = event.seq();
          summary.add(event);
          gzip.write(event.line());
          gzip.write('\n');
        }
      }
      if (summary.events == 0) {
        deleteQuietly(file);
        return null;
      }
      return new GzipObject(
          memory == null ? null : memory.toByteArray(),
          file,
          counted.count,
          HexFormat.of().formatHex(digest.digest()),
          summary);
    } catch (IOException e) {
      deleteQuietly(file);
      throw new UncheckedIOException("cannot write a gzip object to " + spoolDir, e);
    } catch (RuntimeException e) {
      deleteQuietly(file);
      throw e;
    }
  }

  /** Uploads the object under the key, with its SHA-256 for S3 to check. */
  void putTo(ReplayStore store, String key) {
    if (file != null) {
      store.put(key, file, GZIP, sha256);
    } else {
      store.put(key, bytes, GZIP, sha256);
    }
  }

  long size() {
    return size;
  }

  String sha256() {
    return sha256;
  }

  long events() {
    return events;
  }

  long firstSeq() {
    return firstSeq;
  }

  long lastSeq() {
    return lastSeq;
  }

  Instant firstTs() {
    return firstTs;
  }

  Instant lastTs() {
    return lastTs;
  }

  /** The first agent id among the events, or null. */
  String agentId() {
    return agentId;
  }

  /** Whether some seq between the first and the last is missing. */
  boolean gappy() {
    return gappy;
  }

  @Override
  public void close() {
    deleteQuietly(file);
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** What the manifest needs to know about the events written. */
  private static final class Summary {
    private long events;
    private long firstSeq = -1;
    private long lastSeq = -1;
    private Instant firstTs;
    private Instant lastTs;
    private String agentId;
    private boolean gappy;

    void add(EventLine event) {
      if (events == 0) {
        firstSeq = event.seq();
        firstTs = event.ts();
      } else if (event.seq() != lastSeq + 1) {
        gappy = true;
      }
      if (agentId == null) {
        agentId = event.agentId();
      }
      lastSeq = event.seq();
      lastTs = event.ts();
      events++;
    }
  }

  private static final class CountingOutputStream extends java.io.FilterOutputStream {
    private long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
