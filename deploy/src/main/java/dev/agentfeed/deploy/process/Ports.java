package dev.agentfeed.deploy.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;

/** TCP port checks: is a port free before the stack takes it, and is something listening yet. */
public final class Ports {

  private static final Duration POLL = Duration.ofMillis(100);

  private Ports() {}

  /** Whether nothing listens on {@code port} on any interface. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Waits until {@code host:port} accepts connections, while {@code child} runs; false on timeout
   * or when the child ended.
   */
  public static boolean awaitListening(String host, int port, ChildProcess child, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline) && child.isAlive()) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), (int) POLL.toMillis());
        return true;
      } catch (IOException notYet) {
        Thread.sleep(POLL.toMillis());
      }
    }
    return false;
  }
}
