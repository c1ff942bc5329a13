package dev.agentfeed.deploy.process;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;

/**
 * A Java agent that every child JVM of the local stack carries, so that the launcher alone decides
 * when and in which order its children stop:
 *
 * <ul>
 *   <li>It ends the child when the launcher process is gone. The launcher's shutdown hook stops its
 *       children in order, but a launcher killed with {@code kill -9} (or dying from an
 *       out-of-memory error) runs no hook; without this agent its broker and services would keep
 *       their ports and data directory locked.
 *   <li>It makes the child ignore SIGINT and SIGHUP. A Ctrl-C in the terminal (or closing it)
 *       signals every process of the foreground group at once, so the broker would shut down while
 *       the services still write to it; this way only the launcher reacts, and stops the services
 *       first, then the broker, each with SIGTERM.
 * </ul>
 *
 * <p>The agent argument is the launcher's pid.
 *
 * <p>It uses JDK classes only, because it is loaded from a one-class jar (see {@link ChildJvm})
 * ahead of whatever the child runs, and it logs through {@link System.Logger} for the same reason.
 */
public final class ParentWatchdog {

  /** The exit code of a child whose launcher disappeared, as after a SIGTERM. */
  static final int ORPHANED_EXIT_CODE = 143;

  private static final List<String> TERMINAL_SIGNALS = List.of("INT", "HUP");

  private ParentWatchdog() {}

  /** Agent entry point; {@code launcherPid} is the pid to outlive by no more than a poll. */
  public static void premain(String launcherPid) {
    ignoreTerminalSignals();
    long pid = Long.parseLong(launcherPid.trim());
    Optional<ProcessHandle> launcher = ProcessHandle.of(pid);
    if (launcher.isEmpty()) {
      exitOrphaned(pid);
      return;
    }
    // The future completes on a JDK-owned daemon thread; exiting from there runs the child's own
    // shutdown hooks, so a broker or Spring context still closes cleanly.
    launcher.get().onExit().thenRun(() -> exitOrphaned(pid));
  }

  /**
   * {@code sun.misc.Signal} is the only way to handle signals without native code; it is exported
   * by the {@code jdk.unsupported} module for exactly this. Kafka's own signal logger chains to the
   * handler installed here, so the broker ignores these signals too.
   */
  private static void ignoreTerminalSignals() {
    for (String name : TERMINAL_SIGNALS) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {});
      } catch (IllegalArgumentException e) {
        // The JVM runs with -Xrs or the platform lacks the signal: the child then stops on it.
        System.getLogger(ParentWatchdog.class.getName())
            .log(Level.DEBUG, "cannot ignore SIG{0}: {1}", name, e.getMessage());
      }
    }
  }

  private static void exitOrphaned(long pid) {
    System.getLogger(ParentWatchdog.class.getName())
        .log(
            Level.WARNING,
            "the local stack launcher (pid {0}) is gone; stopping",
            Long.toString(pid));
    System.exit(ORPHANED_EXIT_CODE);
  }
}
