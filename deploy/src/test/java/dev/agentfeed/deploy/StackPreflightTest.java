package dev.agentfeed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What keeps the stack from starting is found, and said, before anything starts. */
class StackPreflightTest {

  @TempDir Path repo;

  @Test
  void shouldNameEveryMissingJarAndBusyPort() throws IOException {
    Path ingestJar =
        repo.resolve("ingest-service/target/ingest-service-" + version() + "-exec.jar");
    Files.createDirectories(ingestJar.getParent());
    Files.writeString(ingestJar, "a jar");
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress(0));
      int busyPort = busy.getLocalPort();
      int[] free = freePorts(4);
      StackSettings settings =
          ServiceArgumentsTest.parse(
              "--repo-dir", repo.toString(),
              "--services", "ingest-service,archiver",
              "--kafka-port", String.valueOf(free[0]),
              "--kafka-controller-port", String.valueOf(free[1]),
              "--s3-port", String.valueOf(busyPort),
              "--ingest-port", String.valueOf(free[2]),
              "--archiver-port", String.valueOf(free[3]));

      assertThat(Stack.preflight(settings))
          .containsExactly(
              "archiver: no runnable jar at "
                  + repo.resolve("archiver/target/archiver-" + version() + "-exec.jar")
                  + " (build it with deploy/run-local.sh --build, or pass --repo-dir)",
              "port " + busyPort + " for S3 (--s3-port) is in use (another stack still running?)");
    }
  }

  private static String version() {
    return LocalStack.BuildVersion.version();
  }

  private static int[] freePorts(int count) throws IOException {
    int[] ports = new int[count];
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          socket.close();
        }
      }
    }
    return ports;
  }
}
