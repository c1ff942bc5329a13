package dev.agentfeed.bench.processor;

import dev.agentfeed.bench.JitThreads;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU seconds spent by this JVM and, when its pid is given, by the broker's process, between two
 * readings. On a shared machine wall-clock throughput swings with the other load; the CPU each side
 * spends per event does much less, so the benchmark prints both.
 */
final class CpuMeter {

  private final long brokerPid;

  CpuMeter(long brokerPid) {
    this.brokerPid = brokerPid;
  }

  Reading read() {
    return new Reading(ownSeconds(), jitSeconds(), brokerSeconds());
  }

  /**
   * CPU seconds of this JVM (all threads), the part of them its JIT compiler threads used (it falls
   * near zero once the code is warm), and the broker's CPU seconds (or NaN when not measured).
   */
  record Reading(double own, double jit, double broker) {

    Reading minus(Reading earlier) {
      return new Reading(own - earlier.own, jit - earlier.jit, broker - earlier.broker);
    }

    /** "this JVM X ms (JIT compiling for Z ms), broker Y ms" per 1,000 events. */
    String per1000(long events) {
      String ownPart =
          String.format(
              "this JVM %.0f ms (JIT compiler threads %.0f ms of it)",
              own * 1e6 / events, jit * 1e6 / events);
      return Double.isNaN(broker)
          ? ownPart
          : ownPart + String.format(", broker %.0f ms", broker * 1e6 / events);
    }
  }

  /** CPU seconds of this JVM's JIT compiler threads so far ({@link JitThreads}). */
  static double jitSeconds() {
    return JitThreads.ownSeconds();
  }

  private static double ownSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  /** utime + stime of /proc/PID/stat, in clock ticks of 1/100 s (Linux). */
  private double brokerSeconds() {
    if (brokerPid <= 0) {
      return Double.NaN;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(brokerPid), "stat"));
      return JitThreads.utimePlusStime(stat) / 100.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
