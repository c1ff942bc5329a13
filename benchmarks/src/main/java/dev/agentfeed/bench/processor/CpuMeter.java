package dev.agentfeed.bench.processor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
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

  /**
   * CPU seconds of this JVM's JIT compiler threads so far: {@code utime + stime} of the threads
   * HotSpot names {@code C1/C2 CompilerThread…} in {@code /proc/self/task} (Linux; no Java API
   * shows them). Elsewhere NaN.
   */
  static double jitSeconds() {
    long ticks = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended
        }
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
          ticks += utimePlusStime(stat);
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return ticks / 100.0;
  }

  /** utime + stime, in clock ticks of 1/100 s, of a {@code /proc/…/stat} line. */
  private static long utimePlusStime(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // After "pid (comm) ", field 3 of the man page (state) is index 0: utime is 14, stime 15.
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
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
      return utimePlusStime(stat) / 100.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
