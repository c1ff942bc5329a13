package dev.agentfeed.gateway.stream;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A task the gateway's timer runs every period (at a fixed rate) from the application's start to
 * its stop. An exception is logged and the schedule goes on: letting it escape would cancel the
 * schedule for good.
 */
abstract class TimerTask implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(TimerTask.class);

  private final ScheduledExecutorService timer;
  private final long periodMillis;
  private ScheduledFuture<?> schedule;

  TimerTask(ScheduledExecutorService timer, Duration period) {
    this.timer = timer;
    this.periodMillis = period.toMillis();
  }

  /** One run. */
  abstract void tick();

  @Override
  public synchronized void start() {
    schedule =
        timer.scheduleAtFixedRate(this::run, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
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

  private void run() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("{} failed", getClass().getSimpleName(), e);
    }
  }
}
