package dev.agentfeed.bench;

import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** A thread-safe latency recorder in microseconds, reporting the percentiles we quote. */
public final class Latencies {

  private final Recorder recorder = new Recorder(TimeUnit.MINUTES.toMicros(1), 3);
  private Histogram total;

  public void recordNanos(long nanos) {
    recorder.recordValue(Math.max(0, Math.min(TimeUnit.NANOSECONDS.toMicros(nanos), 60_000_000L)));
  }

  /** Everything recorded so far; later calls add what came since. */
  public Histogram snapshot() {
    Histogram interval = recorder.getIntervalHistogram();
    if (total == null) {
      total = interval.copy();
    } else {
      total.add(interval);
    }
    return total;
  }

  /** Drops what was recorded so far (the warm-up). */
  public void reset() {
    recorder.reset();
    total = null;
  }

  static String millis(Histogram h, double percentile) {
    return String.format("%.2f", ms(h, percentile));
  }

  /** A percentile in milliseconds. */
  public static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000d;
  }

  public static void printRow(PrintWriter out, String label, Histogram h) {
    out.printf(
        "  %-38s n=%-8d p50=%8s ms  p99=%8s ms  p99.9=%8s ms  max=%8s ms%n",
        label,
        h.getTotalCount(),
        millis(h, 50),
        millis(h, 99),
        millis(h, 99.9),
        String.format("%.2f", h.getMaxValue() / 1000d));
  }
}
