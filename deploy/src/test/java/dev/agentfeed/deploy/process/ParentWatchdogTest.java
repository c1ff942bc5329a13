package dev.agentfeed.deploy.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A launcher killed with SIGKILL runs no shutdown hook; the watchdog agent must still end its
 * children. A {@code sleep} process stands in for the launcher so that the test can kill it.
 */
class ParentWatchdogTest {

  /** A JVM's exit code after SIGTERM: 128 + 15. */
  private static final int TERMINATED_BY_SIGTERM = 143;

  @TempDir Path dir;

  private Process launcher;
  private ChildProcess child;

  @AfterEach
  void stopLeftovers() {
    if (child != null) {
      child.stop(Duration.ofSeconds(5));
    }
    if (launcher != null) {
      launcher.destroyForcibly();
    }
  }

  @Test
  void shouldEndChildWhenLauncherIsKilled() throws Exception {
    launcher = new ProcessBuilder("sleep", "120").start();
    child = startChildWatching(launcher.pid());
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(running()));

    launcher.destroyForcibly();

    await().atMost(Duration.ofSeconds(30)).until(() -> !child.isAlive());
    assertThat(child.exitCode()).isEqualTo(ParentWatchdog.ORPHANED_EXIT_CODE);
  }

  @Test
  void shouldKeepChildRunningWhileLauncherLives() throws Exception {
    launcher = new ProcessBuilder("sleep", "120").start();
    child = startChildWatching(launcher.pid());
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(running()));

    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(() -> child.isAlive());
  }

  @Test
  void shouldLeaveTerminalSignalsToTheLauncher() throws Exception {
    launcher = new ProcessBuilder("sleep", "120").start();
    child = startChildWatching(launcher.pid());
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(running()));

    for (String signal : List.of("-INT", "-HUP")) {
      assertThat(new ProcessBuilder("kill", signal, String.valueOf(child.pid())).start().waitFor())
          .isZero();
    }

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> child.isAlive());
    child.stop(Duration.ofSeconds(10));
    assertThat(child.exitCode()).isEqualTo(TERMINATED_BY_SIGTERM);
  }

  private ChildProcess startChildWatching(long launcherPid) {
    ChildJvm jvm = ChildJvm.watching(dir.resolve("run"), launcherPid);
    return ChildProcess.start(
        "child",
        jvm.ownClass(
            BlockUntilKilled.class.getName(), List.of("-Xmx32m"), List.of(running().toString())),
        dir.resolve("child.log"));
  }

  /** Created by the child once its main runs, i.e. after the agent's premain. */
  private Path running() {
    return dir.resolve("running");
  }
}
