package dev.agentfeed.deploy.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child process of the stack with its log file. Output and errors go to the log (the previous
 * run's log is kept as {@code <name>.log.1}); stopping asks politely first (SIGTERM, so the child's
 * shutdown hooks run), then kills the process and anything it started.
 */
public final class ChildProcess {

  private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final String name;
  private final Process process;
  private final Path logFile;

  private ChildProcess(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
  }

  /** Starts {@code builder}'s command with its output in {@code logFile}. */
  public static ChildProcess start(String name, ProcessBuilder builder, Path logFile) {
    try {
      Files.createDirectories(logFile.toAbsolutePath().getParent());
      if (Files.exists(logFile)) {
        Files.move(
            logFile,
            logFile.resolveSibling(logFile.getFileName() + ".1"),
            StandardCopyOption.REPLACE_EXISTING);
      }
      builder.redirectErrorStream(true).redirectOutput(logFile.toFile());
      Process process = builder.start();
      log.debug("{} started as pid {}: {}", name, process.pid(), builder.command());
      return new ChildProcess(name, process, logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public Path logFile() {
    return logFile;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code; only meaningful once {@link #isAlive()} is false. */
  public int exitCode() {
    return process.exitValue();
  }

  /** Runs {@code action} when the process ends, whatever ends it. */
  public void onExit(Runnable action) {
    process.onExit().thenRun(action);
  }

  /** Runs to completion (a one-shot tool) and returns its exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      stop(Duration.ZERO);
      throw new IllegalStateException(
          name + " did not finish within " + timeout.toSeconds() + " s; see " + logFile);
    }
    return process.exitValue();
  }

  /** The last {@code count} lines of the log, to show why a child failed. */
  public List<String> lastLogLines(int count) {
    try (Stream<String> lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
      List<String> all = lines.toList();
      return new ArrayList<>(all.subList(Math.max(0, all.size() - count), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return List.of("(cannot read " + logFile + ": " + e.getMessage() + ")");
    }
  }

  /** Asks the process to stop (SIGTERM); see {@link #awaitStopped}. */
  public void requestStop() {
    if (process.isAlive()) {
      process.destroy();
    }
  }

  /**
   * Waits up to {@code grace} for the process to end after {@link #requestStop()}, then kills it
   * and any process it started.
   */
  public void awaitStopped(Duration grace) {
    List<ProcessHandle> descendants = process.descendants().toList();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("{} did not stop in time; killing pid {}", name, pid());
        process.destroyForcibly();
        process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  /** {@link #requestStop()} then {@link #awaitStopped}. */
  public void stop(Duration grace) {
    requestStop();
    awaitStopped(grace);
  }
}
