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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames on their way to one client. Whoever produces a frame (the live reader, a replay, the
 * WebSocket I/O thread, the heartbeat) only queues it here and never waits for the socket; a sender
 * thread writes the queue to the session in order. A client that falls behind by more than the
 * buffer limit gets a {@code resync_required} error with the last cursor written to it and is
 * closed; one whose socket accepts nothing for the send-time limit is closed as stalled. The {@link
 * Transport} is a WebSocket session or an SSE response; one thread at a time writes to it.
 *
 * <p>A transport that {@linkplain Transport#writesWithoutBlocking() writes without blocking} (a
 * WebSocket on Tomcat) is written by whoever queues a frame when nothing is being written: the live
 * dispatch writes straight to a socket that has room, with no hand-off to a sender thread, and only
 * a frame the socket does not take at once waits, for the container, whose completion then goes on
 * with the queue. Otherwise a sender thread writes the queue, blocking, and batches what it takes
 * in one go.
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
  private final OutboundBudget budget;
  private final Function<Map<String, String>, List<String>> resyncFrames;
  private final StreamMetrics metrics;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean draining;
  // Non-blocking transports: a write of the queue is in progress (on some thread, or pending in
  // the container), so a frame queued now is written after it.
  private boolean sending;
  private final boolean nonBlocking;
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
      OutboundBudget budget,
      Function<Map<String, String>, List<String>> resyncFrames,
      StreamMetrics metrics) {
    this.session = session;
    this.sender = sender;
    this.closer = closer;
    this.budget = budget;
    this.resyncFrames = resyncFrames;
    this.metrics = metrics;
    this.nonBlocking = session.writesWithoutBlocking();
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
      String refusal = budget.refusal(queuedBytes + session.bufferedBytes(), message.length());
      if (refusal != null) {
        log.info("Client {} {}; telling it to resync", session.id(), refusal);
        failLocked();
        return false;
      }
      queued(message);
      if (!nonBlocking) {
        scheduleLocked();
        return true;
      }
      if (sending) {
        return true;
      }
      sending = true;
    }
    sendQueued();
    return true;
  }

  /**
   * Waits, for at most {@code max}, until the queue is at most half full (and, while all clients
   * together hold the gateway's total, no longer behind), so that a replay goes no faster than the
   * client reads. Returns whether the outbox is still open.
   */
  synchronized boolean awaitRoom(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (state == State.OPEN && budget.replayWaits(queuedBytes)) {
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

  /**
   * Whether a sender thread has been blocked in a write (or flush) to this client for longer than
   * {@code millis}. Writes without blocking hold no thread, so they never count.
   */
  boolean senderBlockedLongerThan(long millis) {
    return !nonBlocking && session.timeSinceSendStarted() > millis;
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
    clearLocked();
    notifyAll();
    scheduleLocked();
  }

  private void closeLocked() {
    state = State.CLOSED;
    clearLocked();
    notifyAll();
  }

  // Every change to the queue goes through these three, under the lock: the connection's count and
  // the gateway's total must agree, or the total drifts.
  private void queued(Pending message) {
    queue.addLast(message);
    queuedBytes += message.length();
    budget.added(message.length());
  }

  private void taken(Pending message) {
    queuedBytes -= message.length();
    budget.removed(message.length());
  }

  private void clearLocked() {
    queue.clear();
    budget.removed(queuedBytes);
    queuedBytes = 0;
  }

  private void scheduleLocked() {
    if (nonBlocking) {
      if (!sending) {
        sending = true;
        sender.execute(this::sendQueued);
      }
    } else if (!draining) {
      draining = true;
      sender.execute(this::drain);
    }
  }

  /**
   * Non-blocking transports: writes the queue, frame after frame, while the socket takes each at
   * once; returns when the queue is empty or a frame is left to the container, whose completion
   * calls this again. Whoever set {@code sending} calls it; it clears {@code sending} when done. A
   * failing or finishing outbox ends on a sender thread, as its last writes may block.
   */
  private void sendQueued() {
    while (true) {
      Pending next;
      Runnable last = null;
      boolean resync = false;
      synchronized (this) {
        next = queue.pollFirst();
        if (next != null) {
          taken(next);
          if (waiting > 0) {
            notifyAll();
          }
        } else if (state == State.FAILING) {
          // The resync_required frames go like any other, so that a full socket holds no thread;
          // then the connection is finished. Still sending.
          state = State.FINISHING;
          ending = Transport.Ending.RESYNC;
          resync = true;
        } else {
          sending = false;
          if (state == State.FINISHING) {
            state = State.CLOSED;
            Transport.Ending why = ending;
            last = () -> closeSession(why);
          }
        }
      }
      if (resync) {
        // Built outside the lock: it reads the connection's subscriptions.
        List<String> frames = resyncFrames.apply(Map.copyOf(lastCursors));
        synchronized (this) {
          for (String frame : frames) {
            queued(new Pending(Frames.ERROR, frame, null, null, null));
          }
        }
        continue;
      }
      if (next == null) {
        if (last != null) {
          // Closing writes a close frame, which may block for a moment.
          sender.execute(last);
        }
        return;
      }
      Write write = new Write(next);
      try {
        session.startWrite(next.op(), next.json(), write);
      } catch (RuntimeException e) {
        write.accept(e);
      }
      if (!write.completed()) {
        // The container finishes it; its completion goes on with the queue.
        return;
      }
      if (write.failed) {
        return;
      }
    }
  }

  /**
   * One frame written without blocking. Its completion may come before {@code startWrite} returns
   * (the socket took it all) or later on another thread; of the writer and the completion,
   * whichever comes second goes on with the queue, so that frames stay in order and one is written
   * at a time.
   */
  private final class Write implements Consumer<Throwable> {

    private final Pending message;
    private final AtomicBoolean oneArrived = new AtomicBoolean();
    private volatile boolean failed;

    Write(Pending message) {
      this.message = message;
    }

    @Override
    public void accept(Throwable failure) {
      if (failure != null) {
        failed = true;
        // A closed socket, a broken pipe or the send timeout: the client is gone or stalled.
        log.debug("Writing to client {} failed; closing it", session.id(), failure);
        close();
        closer.execute(() -> closeSession(Transport.Ending.RESYNC));
      } else {
        written(message);
      }
      if (!oneArrived.compareAndSet(false, true) && failure == null) {
        // The writer has returned: this completion goes on.
        sendQueued();
      }
    }

    /** Called by the writer once startWrite returned: whether the write has completed already. */
    boolean completed() {
      return !oneArrived.compareAndSet(false, true);
    }
  }

  private void written(Pending message) {
    if (message.cursor() != null) {
      lastCursors.put(message.subscription(), message.cursor());
    }
    metrics.delivered(message.events(), metrics.now());
    metrics.written(1, message.length());
  }

  private void drain() {
    // Whether frames were written since the last flush: the transport may hold them back.
    boolean unflushed = false;
    List<Pending> batch = new ArrayList<>();
    // The events of the frames written since the last flush: their latency is taken once the flush
    // handed them to the socket, so that a flush blocked by a client that reads slowly counts.
    List<List<FeedRecord.Item>> unflushedEvents = new ArrayList<>();
    while (true) {
      boolean resync = false;
      boolean finished = false;
      synchronized (this) {
        // What is queued, taken in one go (up to a bound): one lock and at most one wake-up of a
        // waiting replay per batch, not per frame.
        Pending next;
        while (batch.size() < MAX_BATCH && (next = queue.pollFirst()) != null) {
          taken(next);
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
          long now = metrics.now();
          unflushedEvents.forEach(events -> metrics.delivered(events, now));
          unflushedEvents.clear();
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
      for (Pending message : batch) {
        if (message.events() != null) {
          unflushedEvents.add(message.events());
        }
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
        queued(new Pending(Frames.ERROR, frame, null, null, null));
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
