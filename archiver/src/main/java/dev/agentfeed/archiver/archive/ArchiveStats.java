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
  private volatile int bufferedSessions;
  private volatile int finishedSessions;
  private volatile boolean paused;
  private volatile int consecutiveUploadFailures;
  private volatile String lastUploadError;
  private final AtomicLong replaysWritten = new AtomicLong();
  private final AtomicLong segmentsWritten = new AtomicLong();
  private final AtomicLong alreadyArchived = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();

  void running(boolean value) {
    running = value;
  }

  void failed(Throwable value) {
    failure = value;
  }

  void buffered(long bytes, int sessions, int finished, boolean isPaused) {
    bufferedBytes = bytes;
    bufferedSessions = sessions;
    finishedSessions = finished;
    paused = isPaused;
  }

  void uploadFailed(int consecutive, String error) {
    consecutiveUploadFailures = consecutive;
    lastUploadError = error;
  }

  void archived(SessionArchiver.Outcome outcome) {
    consecutiveUploadFailures = 0;
    switch (outcome) {
      case REPLAY_WRITTEN -> replaysWritten.incrementAndGet();
      case SEGMENT_WRITTEN -> segmentsWritten.incrementAndGet();
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

  int bufferedSessions() {
    return bufferedSessions;
  }

  /** Finished sessions waiting for their upload. */
  int finishedSessions() {
    return finishedSessions;
  }

  boolean isPaused() {
    return paused;
  }

  int consecutiveUploadFailures() {
    return consecutiveUploadFailures;
  }

  String lastUploadError() {
    return lastUploadError;
  }

  long replaysWritten() {
    return replaysWritten.get();
  }

  long segmentsWritten() {
    return segmentsWritten.get();
  }

  long alreadyArchived() {
    return alreadyArchived.get();
  }

  long deadLetters() {
    return deadLetters.get();
  }
}
