package dev.agentfeed.archiver.archive;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the poll loop reports about itself for the health endpoint. The loop thread writes, any
 * thread reads; each value is read on its own, so a report may mix two iterations.
 */
final class ArchiveStats {

  private volatile boolean running;
  private volatile Throwable failure;
  private volatile long bufferedBytes;
  private volatile long spooledBytes;
  private volatile int bufferedSessions;
  private volatile int finishedSessions;
  private volatile int retryingSessions;
  private volatile boolean paused;
  private volatile int assignedPartitions;
  private volatile int consecutiveUploadFailures;
  private volatile String lastUploadError;
  private final AtomicLong replaysWritten = new AtomicLong();
  private final AtomicLong segmentsWritten = new AtomicLong();
  private final AtomicLong lateSegmentsWritten = new AtomicLong();
  private final AtomicLong alreadyArchived = new AtomicLong();
  private final AtomicLong spills = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();

  void running(boolean value) {
    running = value;
  }

  void failed(Throwable value) {
    failure = value;
  }

  void buffered(long bytes, long spooled, int sessions, int finished, boolean isPaused) {
    bufferedBytes = bytes;
    spooledBytes = spooled;
    bufferedSessions = sessions;
    finishedSessions = finished;
    paused = isPaused;
  }

  void assigned(int partitions) {
    assignedPartitions = partitions;
  }

  int assignedPartitions() {
    return assignedPartitions;
  }

  void retrying(int sessions) {
    retryingSessions = sessions;
  }

  void uploadFailed(String error) {
    consecutiveUploadFailures++;
    lastUploadError = error;
  }

  void uploadSucceeded() {
    consecutiveUploadFailures = 0;
  }

  void segmentWritten() {
    segmentsWritten.incrementAndGet();
  }

  void spilled() {
    spills.incrementAndGet();
  }

  void archived(SessionArchiver.Outcome outcome) {
    switch (outcome) {
      case REPLAY_WRITTEN -> replaysWritten.incrementAndGet();
      case SEGMENT_WRITTEN -> lateSegmentsWritten.incrementAndGet();
      case ALREADY_ARCHIVED -> alreadyArchived.incrementAndGet();
      default -> throw new IllegalArgumentException(outcome.name());
    }
  }

  void deadLettered() {
    deadLetters.incrementAndGet();
  }

  boolean isRunning() {
    return running;
  }

  Throwable failure() {
    return failure;
  }

  long bufferedBytes() {
    return bufferedBytes;
  }

  long spooledBytes() {
    return spooledBytes;
  }

  int bufferedSessions() {
    return bufferedSessions;
  }

  /** Finished sessions waiting to be compacted. */
  int finishedSessions() {
    return finishedSessions;
  }

  /** Sessions whose last S3 call failed, waiting for their next try. */
  int retryingSessions() {
    return retryingSessions;
  }

  boolean isPaused() {
    return paused;
  }

  /** S3 calls that failed since the last one that succeeded, across sessions. */
  int consecutiveUploadFailures() {
    return consecutiveUploadFailures;
  }

  String lastUploadError() {
    return lastUploadError;
  }

  long replaysWritten() {
    return replaysWritten.get();
  }

  /** Segments written while sessions ran. */
  long segmentsWritten() {
    return segmentsWritten.get();
  }

  /** Late events finished as a segment and a later manifest version (or headless segments). */
  long lateSegmentsWritten() {
    return lateSegmentsWritten.get();
  }

  long alreadyArchived() {
    return alreadyArchived.get();
  }

  long spills() {
    return spills.get();
  }

  long deadLetters() {
    return deadLetters.get();
  }
}
