package dev.agentfeed.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU a JVM's JIT compiler threads have used: {@code utime + stime} of the threads HotSpot
 * names {@code C1/C2 CompilerThread…} in {@code /proc/<pid>/task} (Linux; no Java API shows them,
 * and none at all for another process). It falls near zero once a JVM's hot code is compiled; a
 * benchmark that measures before then shares the cores with the compilers.
 */
public final class JitThreads {

  private JitThreads() {}

  /** CPU seconds of this JVM's compiler threads so far; NaN where {@code /proc} is not there. */
  public static double ownSeconds() {
    return seconds("self");
  }

  /** CPU seconds of process {@code pid}'s compiler threads so far; NaN where unreadable. */
  public static double seconds(long pid) {
    return seconds(Long.toString(pid));
  }

  private static double seconds(String process) {
    long ticks = 0;
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", process, "task"))) {
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
  public static long utimePlusStime(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // After "pid (comm) ", field 3 of the man page (state) is index 0: utime is 14, stime 15.
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
