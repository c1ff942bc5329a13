package dev.agentfeed.archiver.archive;

import dev.agentfeed.model.SessionRef;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The events of one session read from Kafka and not yet in S3, in seq order. They are held in
 * memory until the archiver runs short of it; then {@link #spill} appends them to a spool file of
 * their own and memory starts empty again, so reading back (the spool file, then memory) keeps seq
 * order. A session's events arrive in seq order from its one partition, so an event whose seq is
 * not above the last one is a re-read and is ignored.
 */
final class SessionBuffer implements AutoCloseable {

  private static final long NO_TS = Long.MIN_VALUE;

  private final SessionRef session;
  private final List<BufferedEvent> memory = new ArrayList<>();
  private long memoryBytes;
  private Path spoolFile;
  private DataOutputStream spool;
  private long spoolBytes;
  private int size;
  private long firstSeq = -1;
  private Instant firstTs;
  private long lastSeq = -1;

  SessionBuffer(SessionRef session) {
    this.session = session;
  }

  SessionRef session() {
    return session;
  }

  /**
   * Adds the event unless its seq is not above the last one held (a re-read).
   *
   * @return the bytes the buffer grew by
   */
  long add(BufferedEvent event) {
    if (event.seq() <= lastSeq) {
      return 0;
    }
    if (size == 0) {
      firstSeq = event.seq();
      firstTs = event.ts();
    }
    lastSeq = event.seq();
    memory.add(event);
    size++;
    memoryBytes += event.sizeBytes();
    return event.sizeBytes();
  }

  /** Moves the events held in memory to this buffer's spool file in {@code dir}. */
  void spill(Path dir) {
    if (memory.isEmpty()) {
      return;
    }
    try {
      if (spool == null) {
        spoolFile = Files.createTempFile(dir, "session-", ".spool");
        spool = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spoolFile)));
      }
      for (BufferedEvent event : memory) {
        spool.writeLong(event.seq());
        spool.writeLong(event.ts() == null ? NO_TS : event.ts().getEpochSecond());
        spool.writeInt(event.ts() == null ? 0 : event.ts().getNano());
        spool.writeUTF(event.agentId() == null ? "" : event.agentId());
        spool.writeInt(event.line().length);
        spool.write(event.line());
        spoolBytes += event.line().length + 32L;
      }
      spool.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spill session " + session.key() + " to " + dir, e);
    }
    memory.clear();
    memoryBytes = 0;
  }

  /** The events in seq order: the spool file first, then memory. */
  Iterator<EventLine> read() {
    Iterator<EventLine> inMemory = memory.stream().map(EventLine::of).iterator();
    if (spoolFile == null) {
      return inMemory;
    }
    return new SpoolIterator(spoolFile, inMemory);
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** The first seq held, or -1. */
  long firstSeq() {
    return firstSeq;
  }

  /** The ts of the first event held, or null. */
  Instant firstTs() {
    return firstTs;
  }

  /** The last seq ever held; events up to it are ignored even after {@link #clear()}. */
  long lastSeq() {
    return lastSeq;
  }

  long bytes() {
    return memoryBytes + spoolBytes;
  }

  long memoryBytes() {
    return memoryBytes;
  }

  long spoolBytes() {
    return spoolBytes;
  }

  /**
   * Forgets every event (they are in S3 now) and deletes the spool file. The last seq stays, so a
   * re-read of the same events is still ignored.
   */
  void clear() {
    close();
    memory.clear();
    memoryBytes = 0;
    size = 0;
    firstSeq = -1;
    firstTs = null;
  }

  @Override
  public void close() {
    if (spool != null) {
      try {
        spool.close();
        Files.deleteIfExists(spoolFile);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete spool file " + spoolFile, e);
      }
    }
    spool = null;
    spoolFile = null;
    spoolBytes = 0;
  }

  /** Reads the spool file record by record, then continues with the events in memory. */
  private static final class SpoolIterator implements Iterator<EventLine> {

    private final DataInputStream in;
    private final Iterator<EventLine> then;
    private EventLine next;
    private boolean spoolDone;

    SpoolIterator(Path file, Iterator<EventLine> then) {
      try {
        this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read spool file " + file, e);
      }
      this.then = then;
    }

    @Override
    public boolean hasNext() {
      if (next == null && !spoolDone) {
        next = readRecord();
      }
      return next != null || then.hasNext();
    }

    @Override
    public EventLine next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      if (next != null) {
        EventLine value = next;
        next = null;
        return value;
      }
      return then.next();
    }

    private EventLine readRecord() {
      try {
        long seq = in.readLong();
        long seconds = in.readLong();
        int nanos = in.readInt();
        String agentId = in.readUTF();
        byte[] line = new byte[in.readInt()];
        in.readFully(line);
        return new EventLine(
            seq,
            seconds == NO_TS ? null : Instant.ofEpochSecond(seconds, nanos),
            agentId.isEmpty() ? null : agentId,
            line);
      } catch (EOFException e) {
        spoolDone = true;
        closeQuietly();
        return null;
      } catch (IOException e) {
        closeQuietly();
        throw new UncheckedIOException("cannot read a spool file", e);
      }
    }

    private void closeQuietly() {
      try {
        in.close();
      } catch (IOException e) {
        // Read to the end already; nothing is lost by a failed close of a read-only file.
      }
    }
  }
}
