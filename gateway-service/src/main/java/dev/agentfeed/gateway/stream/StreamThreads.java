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
 * connection at a time, so the queue is bounded by the connections), plus a spare for each sender
 * blocked in a write ({@link BlockedSenders}); closers end connections that stalled, apart from the
 * senders, which may all be blocked in writes; replays read history (bounded by the replay slots of
 * {@link SubscriptionService}). Neither is exposed as a bean, so Spring's own task executor stays
 * as it is.
 */
final class StreamThreads implements DisposableBean {

  private final ThreadPoolExecutor senders;
  private final int senderThreads;
  private final int senderSpares;
  private final ExecutorService closers;
  private final ExecutorService replays;
  private final ScheduledExecutorService scheduler;

  StreamThreads(GatewayProperties properties) {
    this.senderThreads = properties.senderThreads();
    this.senderSpares = properties.senderSpares();
    this.senders = pool("agentfeed-sender-", senderThreads);
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

  /** Timers: heartbeats, token expiries and the count of blocked senders. */
  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  ExecutorService senders() {
    return senders;
  }

  /**
   * Sizes the sender pool to {@code sender-threads} plus one spare for each of {@code blocked}
   * senders (at most {@code sender-spares}), so that senders blocked in writes to clients that take
   * nothing never leave the others without a thread. Spares beyond the new size end once idle.
   * Called by one thread ({@link BlockedSenders}).
   *
   * @return the spare senders now allowed
   */
  int spareFor(int blocked) {
    int spares = Math.min(Math.max(0, blocked), senderSpares);
    int size = senderThreads + spares;
    if (size > senders.getMaximumPoolSize()) {
      senders.setMaximumPoolSize(size);
      // Starts threads for tasks already queued.
      senders.setCorePoolSize(size);
    } else if (size < senders.getCorePoolSize()) {
      senders.setCorePoolSize(size);
      senders.setMaximumPoolSize(size);
    }
    return spares;
  }

  /** Sender threads running now, spares included (blocked ones too). */
  int senderPoolSize() {
    return senders.getPoolSize();
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

  private static ThreadPoolExecutor pool(String prefix, int threads) {
    CustomizableThreadFactory factory = new CustomizableThreadFactory(prefix);
    factory.setDaemon(true);
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
