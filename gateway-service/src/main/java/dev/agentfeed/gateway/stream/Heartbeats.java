package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.GatewayProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Each interval sends every connection a {@code heartbeat} frame with the server time (followed, on
 * a WebSocket, by a protocol-level ping that browsers answer by themselves), so that dashboards and
 * proxies see a quiet session is still alive; closes connections whose socket has accepted nothing
 * for the send-time limit, and WebSocket connections from which nothing (no frame, no pong) has
 * arrived for the idle timeout.
 */
final class Heartbeats implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);

  private final Connections connections;
  private final Frames frames;
  private final StreamThreads threads;
  private final Clock clock;
  private final Duration interval;
  private final Duration sendTimeLimit;
  private final Duration idleTimeout;
  private ScheduledFuture<?> schedule;

  Heartbeats(
      Connections connections,
      Frames frames,
      StreamThreads threads,
      Clock clock,
      GatewayProperties properties) {
    this.connections = connections;
    this.frames = frames;
    this.threads = threads;
    this.clock = clock;
    this.interval = properties.heartbeatInterval();
    this.sendTimeLimit = properties.sendTimeLimit();
    this.idleTimeout = properties.idleTimeout();
  }

  @Override
  public synchronized void start() {
    long millis = interval.toMillis();
    schedule =
        threads.scheduler().scheduleAtFixedRate(this::beat, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (schedule != null) {
      schedule.cancel(false);
      schedule = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return schedule != null;
  }

  private void beat() {
    try {
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
    } catch (RuntimeException e) {
      // An exception would cancel the schedule for good.
      log.error("Sending heartbeats failed", e);
    }
  }
}
