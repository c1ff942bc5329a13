package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.GatewayProperties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The gateway's pools and its timer. Senders write frames to sockets (at most one task per
 * connection at a time, so the queue is bounded by the connections); closers end connections that
 * stalled, apart from the senders, which may all be blocked in writes; replays read history
 * (bounded by the replay slots of {@link SubscriptionService}). Neither is exposed as a bean, so
 * Spring's own task executor stays as it is.
 */
final class StreamThreads implements DisposableBean {

  private final ExecutorService senders;
  private final ExecutorService closers;
  private final ExecutorService replays;
  private final ScheduledExecutorService scheduler;

  StreamThreads(GatewayProperties properties) {
    this.senders = pool("agentfeed-sender-", properties.senderThreads());
    // A close waits at most the short send timeout of a resync close (see WebSocketTransport).
    this.closers = pool("agentfeed-closer-", 2);
    this.replays = pool("agentfeed-replay-", properties.replayThreads());
    CustomizableThreadFactory factory = new CustomizableThreadFactory("agentfeed-stream-timer-");
    factory.setDaemon(true);
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, factory);
    // Token expiry timers of closed connections are cancelled; do not keep them queued.
    timers.setRemoveOnCancelPolicy(true);
    this.scheduler = timers;
  }

  /** Timers: heartbeats and token expiries. */
  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  ExecutorService senders() {
    return senders;
  }

  ExecutorService closers() {
    return closers;
  }

  ExecutorService replays() {
    return replays;
  }

  @Override
  public void destroy() throws InterruptedException {
    scheduler.shutdownNow();
    replays.shutdownNow();
    closers.shutdownNow();
    senders.shutdown();
    senders.awaitTermination(5, TimeUnit.SECONDS);
  }

  private static ExecutorService pool(String prefix, int threads) {
    CustomizableThreadFactory factory = new CustomizableThreadFactory(prefix);
    factory.setDaemon(true);
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
