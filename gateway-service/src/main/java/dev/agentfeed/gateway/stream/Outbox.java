package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.feed.FeedRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames on their way to one client. Whoever produces a frame (the live reader, a replay, the
 * WebSocket I/O thread, the heartbeat) only queues it here and never waits for the socket; a sender
 * thread writes the queue to the session in order. A client that falls behind by more than the
 * buffer limit gets a {@code resync_required} error with the last cursor written to it and is
 * closed; one whose socket accepts nothing for the send-time limit is closed as stalled. The {@link
 * Transport} is a WebSocket session or an SSE response; this sender is the only thread that writes
 * to it.
 */
final class Outbox {

  private static final Logger log = LoggerFactory.getLogger(Outbox.class);

  // The most frames a sender takes off the queue at once, before it writes them.
  private static final int MAX_BATCH = 64;

  private enum State {
    OPEN,
    // The client fell behind: only the resync_required frame is still to be written.
    FAILING,
    // The gateway ends the connection: what is queued is written, then it closes.
    FINISHING,
    CLOSED
  }

  private final Transport session;
  private final Executor sender;
  private final Executor closer;
  private final long limitBytes;
  private final Function<Map<String, String>, List<String>> resyncFrames;
  private final StreamMetrics metrics;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean draining;
  // Replays waiting in awaitRoom: only then does taking frames off the queue notify.
  private int waiting;
  private volatile State state = State.OPEN;
  private Transport.Ending ending = Transport.Ending.RESYNC;
  // The cursor of the last event frame written, per subscription id.
  private final Map<String, String> lastCursors = new ConcurrentHashMap<>();

  /**
   * @param resyncFrames builds the resync_required frames from the last cursor written per
   *     subscription
   */
  Outbox(
      Transport session,
      Executor sender,
      Executor closer,
      long limitBytes,
      Function<Map<String, String>, List<String>> resyncFrames,
      StreamMetrics metrics) {
    this.session = session;
    this.sender = sender;
    this.closer = closer;
    this.limitBytes = limitBytes;
    this.resyncFrames = resyncFrames;
    this.metrics = metrics;
  }

  boolean open() {
    return state == State.OPEN;
  }

  /**
   * Queues a frame; {@code subscription} and {@code cursor} are an event's, null for other frames.
   * Never blocks.
   *
   * @return false when the frame was dropped because the outbox is failing or closed
   */
  boolean offer(
      String op, String json, String subscription, String cursor, List<FeedRecord.Item> events) {
    Pending message = new Pending(op, json, subscription, cursor, events);
    synchronized (this) {
      if (state != State.OPEN) {
        return false;
      }
      if (queuedBytes + message.length() + session.bufferedBytes() > limitBytes) {
        log.info(
            "Client {} fell behind by more than {} bytes; telling it to resync",
            session.id(),
            limitBytes);
        failLocked();
        return false;
      }
      queue.addLast(message);
      queuedBytes += message.length();
      scheduleLocked();
    }
    return true;
  }

  /**
   * Waits, for at most {@code max}, until the queue is at most half full, so that a replay goes no
   * faster than the client reads. Returns whether the outbox is still open.
   */
  synchronized boolean awaitRoom(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (state == State.OPEN && queuedBytes > limitBytes / 2) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      waiting++;
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } finally {
        waiting--;
      }
    }
    return state == State.OPEN;
  }

  /** Closes the client if one send has been blocked for longer than {@code limit}. */
  void closeIfStalled(Duration limit) {
    if (state == State.CLOSED || session.timeSinceSendStarted() <= limit.toMillis()) {
      return;
    }
    log.info(
        "Client {} accepted nothing for {} ms; closing it",
        session.id(),
        session.timeSinceSendStarted());
    synchronized (this) {
      if (state == State.OPEN) {
        metrics.slowClientClosed();
      }
      closeLocked();
    }
    // The sender thread is stuck in the socket write; close from another one.
    closer.execute(() -> closeSession(Transport.Ending.RESYNC));
  }

  /** The connection is gone: drop what is queued and wake any waiting replay. */
  synchronized void close() {
    closeLocked();
  }

  private void failLocked() {
    state = State.FAILING;
    metrics.slowClientClosed();
    metrics.resynced();
    queue.clear();
    queuedBytes = 0;
    notifyAll();
    scheduleLocked();
  }

  private void closeLocked() {
    state = State.CLOSED;
    queue.clear();
    queuedBytes = 0;
    notifyAll();
  }

  private void scheduleLocked() {
    if (!draining) {
      draining = true;
      sender.execute(this::drain);
    }
  }

  private void drain() {
    // Whether frames were written since the last flush: the transport may hold them back.
    boolean unflushed = false;
    List<Pending> batch = new ArrayList<>();
    while (true) {
      boolean resync = false;
      boolean finished = false;
      synchronized (this) {
        // What is queued, taken in one go (up to a bound): one lock and at most one wake-up of a
        // waiting replay per batch, not per frame.
        Pending next;
        while (batch.size() < MAX_BATCH && (next = queue.pollFirst()) != null) {
          queuedBytes -= next.length();
          batch.add(next);
        }
        if (!batch.isEmpty()) {
          if (waiting > 0) {
            notifyAll();
          }
        } else if (!unflushed || state == State.FAILING) {
          draining = false;
          if (state == State.FAILING) {
            state = State.CLOSED;
            resync = true;
          } else if (state == State.FINISHING) {
            state = State.CLOSED;
            finished = true;
          }
        }
      }
      if (batch.isEmpty()) {
        if (unflushed && !resync) {
          // Still the only sender (draining is still set): one socket write for everything
          // written since the last flush, then look again for frames queued meanwhile.
          if (!flush()) {
            return;
          }
          unflushed = false;
          continue;
        }
        Transport.Ending why;
        synchronized (this) {
          why = ending;
        }
        if (resync) {
          sendResyncAndClose();
        } else if (finished) {
          closeSession(why);
        }
        return;
      }
      long chars = 0;
      for (Pending message : batch) {
        if (!write(message)) {
          return;
        }
        chars += message.length();
        if (message.cursor() != null) {
          lastCursors.put(message.subscription(), message.cursor());
        }
      }
      long now = metrics.now();
      for (Pending message : batch) {
        metrics.delivered(message.events(), now);
      }
      metrics.written(batch.size(), chars);
      batch.clear();
      unflushed = true;
    }
  }

  private boolean write(Pending message) {
    try {
      session.write(message.op(), message.json(), message.cursor());
      return true;
    } catch (IOException | RuntimeException e) {
      // A closed socket, a broken pipe or the container's send timeout: the client is gone.
      log.debug("Writing to client {} failed; closing it", session.id(), e);
      close();
      closeSession(Transport.Ending.RESYNC);
      return false;
    }
  }

  /**
   * Pushes out what the transport batched. Only the sender thread calls it, after the queue ran
   * empty: a new frame queued meanwhile schedules a drain of its own, which flushes again.
   */
  private boolean flush() {
    try {
      session.flush();
      return true;
    } catch (IOException | RuntimeException e) {
      log.debug("Flushing to client {} failed; closing it", session.id(), e);
      close();
      closeSession(Transport.Ending.RESYNC);
      return false;
    }
  }

  /** The subscription is gone; its cursor is no longer needed. */
  void forget(String subscription) {
    lastCursors.remove(subscription);
  }

  private void sendResyncAndClose() {
    try {
      for (String frame : resyncFrames.apply(Map.copyOf(lastCursors))) {
        session.write(Frames.ERROR, frame, null);
      }
      session.flush();
    } catch (IOException | RuntimeException e) {
      log.debug("Could not tell client {} to resync", session.id(), e);
    }
    closeSession(Transport.Ending.RESYNC);
  }

  /**
   * Sends {@code frames} after what is queued, then closes: the end of a connection that the
   * gateway decides (an expired token), as opposed to a client that fell behind.
   */
  void finish(List<String> frames, Transport.Ending why) {
    synchronized (this) {
      ending = why;
      if (state != State.OPEN) {
        return;
      }
      for (String frame : frames) {
        queue.addLast(new Pending(Frames.ERROR, frame, null, null, null));
      }
      state = State.FINISHING;
      scheduleLocked();
    }
  }

  private void closeSession(Transport.Ending why) {
    try {
      session.close(why);
    } catch (RuntimeException e) {
      log.debug("Closing client {} failed", session.id(), e);
    }
  }

  private record Pending(
      String op, String json, String subscription, String cursor, List<FeedRecord.Item> events) {

    long length() {
      return json.length();
    }
  }
}
