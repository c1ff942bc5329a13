package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.GatewayProperties;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each interval sends every connection a {@code heartbeat} frame with the server time (followed, on
 * a WebSocket, by a protocol-level ping that browsers answer by themselves), so that dashboards and
 * proxies see a quiet session is still alive; closes connections whose socket has accepted nothing
 * for the send-time limit, and WebSocket connections from which nothing (no frame, no pong) has
 * arrived for the idle timeout.
 */
final class Heartbeats extends TimerTask {

  private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);

  private final Connections connections;
  private final Frames frames;
  private final Clock clock;
  private final Duration sendTimeLimit;
  private final Duration idleTimeout;

  Heartbeats(
      Connections connections,
      Frames frames,
      StreamThreads threads,
      Clock clock,
      GatewayProperties properties) {
    super(threads.scheduler(), properties.heartbeatInterval());
    this.connections = connections;
    this.frames = frames;
    this.clock = clock;
    this.sendTimeLimit = properties.sendTimeLimit();
    this.idleTimeout = properties.idleTimeout();
  }

  @Override
  void tick() {
    String frame = frames.heartbeat(clock.instant());
    long now = clock.millis();
    for (Connection connection : connections.all()) {
      if (connection.answers() && now - connection.lastHeardMillis() > idleTimeout.toMillis()) {
        log.debug("Connection {} sent nothing for {}; closing it", connection.id(), idleTimeout);
        connection.closeIdle();
        continue;
      }
      connection.send(Frames.HEARTBEAT, frame);
      connection.closeIfStalled(sendTimeLimit);
    }
  }
}
