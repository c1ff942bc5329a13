package dev.agentfeed.bench.gateway;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * What a group of benchmark clients received, summed over all of them: written by their event-loop
 * threads, read by the benchmark between and after its phases.
 */
final class Deliveries {

  static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(1);

  private final LongAdder frames = new LongAdder();
  private final LongAdder gaps = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder malformed = new LongAdder();
  private final LongAdder closedByServer = new LongAdder();
  private final Recorder latencyMicros = new Recorder(MAX_LATENCY_MICROS, 3);

  /** Event frames received. */
  long frames() {
    return frames.sum();
  }

  /** Events that skipped over seqs the client never got. */
  long gaps() {
    return gaps.sum();
  }

  /** Events that repeated or went back to a seq the client had already got. */
  long duplicates() {
    return duplicates.sum();
  }

  /** Event frames without a readable receivedAt and seq, or that are not UTF-8. */
  long malformed() {
    return malformed.sum();
  }

  /** Connections the server closed with a close frame. */
  long closedByServer() {
    return closedByServer.sum();
  }

  /** receivedAt → receipt, in microseconds, of every readable event frame. */
  Recorder latency() {
    return latencyMicros;
  }

  void countFrame() {
    frames.increment();
  }

  void countGap() {
    gaps.increment();
  }

  void countDuplicate() {
    duplicates.increment();
  }

  void countMalformed() {
    malformed.increment();
  }

  void countClosedByServer() {
    closedByServer.increment();
  }

  void recordLatency(long micros) {
    latencyMicros.recordValue(Math.max(0, Math.min(micros, MAX_LATENCY_MICROS)));
  }
}
