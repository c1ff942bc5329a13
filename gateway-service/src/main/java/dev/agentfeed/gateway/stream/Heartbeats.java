package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.GatewayProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Sends every connection a {@code heartbeat} frame each interval, so that dashboards and proxies
 * see a quiet session is still alive, and closes connections whose socket has accepted nothing for
 * the send-time limit.
 */
final class Heartbeats implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);

  private final Connections connections;
  private final Frames frames;
  private final Clock clock;
  private final Duration interval;
  private final Duration sendTimeLimit;
  private ScheduledExecutorService scheduler;

  Heartbeats(Connections connections, Frames frames, Clock clock, GatewayProperties properties) {
    this.connections = connections;
    this.frames = frames;
    this.clock = clock;
    this.interval = properties.heartbeatInterval();
    this.sendTimeLimit = properties.sendTimeLimit();
  }

  @Override
  public synchronized void start() {
    CustomizableThreadFactory threads = new CustomizableThreadFactory("agentfeed-heartbeat-");
    threads.setDaemon(true);
    scheduler = Executors.newSingleThreadScheduledExecutor(threads);
    long millis = interval.toMillis();
    scheduler.scheduleAtFixedRate(this::beat, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return scheduler != null;
  }

  private void beat() {
    try {
      String frame = frames.heartbeat(clock.instant());
      for (Connection connection : connections.all()) {
        connection.send(frame);
        connection.closeIfStalled(sendTimeLimit);
      }
    } catch (RuntimeException e) {
      // An exception would cancel the schedule for good.
      log.error("Sending heartbeats failed", e);
    }
  }
}
