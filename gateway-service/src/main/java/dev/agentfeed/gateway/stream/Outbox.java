package dev.agentfeed.gateway.stream;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * The frames on their way to one client. Whoever produces a frame (the live reader, a replay, the
 * WebSocket I/O thread, the heartbeat) only queues it here and never waits for the socket; a sender
 * thread writes the queue to the session in order. A client that falls behind by more than the
 * buffer limit gets a {@code resync_required} error with the last cursor written to it and is
 * closed; one whose socket accepts nothing for the send-time limit is closed as stalled. The
 * session is Spring's {@link ConcurrentWebSocketSessionDecorator}, which adds its own limits on the
 * send in progress.
 */
final class Outbox {

  static final CloseStatus RESYNC_CLOSE = CloseStatus.SESSION_NOT_RELIABLE.withReason("resync");

  private static final Logger log = LoggerFactory.getLogger(Outbox.class);

  private enum State {
    OPEN,
    // The client fell behind: only the resync_required frame is still to be written.
    FAILING,
    CLOSED
  }

  private final ConcurrentWebSocketSessionDecorator session;
  private final Executor sender;
  private final long limitBytes;
  private final Function<Map<String, String>, List<String>> resyncFrames;
  private final Runnable onResync;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean draining;
  private volatile State state = State.OPEN;
  // The cursor of the last event frame written, per subscription id.
  private final Map<String, String> lastCursors = new ConcurrentHashMap<>();

  /**
   * @param resyncFrames builds the resync_required frames from the last cursor written per
   *     subscription
   * @param onResync counts a client that had to be told to resync
   */
  Outbox(
      ConcurrentWebSocketSessionDecorator session,
      Executor sender,
      long limitBytes,
      Function<Map<String, String>, List<String>> resyncFrames,
      Runnable onResync) {
    this.session = session;
    this.sender = sender;
    this.limitBytes = limitBytes;
    this.resyncFrames = resyncFrames;
    this.onResync = onResync;
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
  boolean offer(String json, String subscription, String cursor) {
    TextMessage message = new TextMessage(json);
    synchronized (this) {
      if (state != State.OPEN) {
        return false;
      }
      if (queuedBytes + message.getPayloadLength() + session.getBufferSize() > limitBytes) {
        log.info(
            "WebSocket session {} fell behind by more than {} bytes; telling it to resync",
            session.getId(),
            limitBytes);
        failLocked();
        return false;
      }
      queue.addLast(new Pending(message, subscription, cursor));
      queuedBytes += message.getPayloadLength();
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
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return state == State.OPEN;
  }

  /** Closes the client if one send has been blocked for longer than {@code limit}. */
  void closeIfStalled(Duration limit) {
    if (state == State.CLOSED || session.getTimeSinceSendStarted() <= limit.toMillis()) {
      return;
    }
    log.info(
        "WebSocket session {} accepted nothing for {} ms; closing it",
        session.getId(),
        session.getTimeSinceSendStarted());
    synchronized (this) {
      if (state == State.OPEN) {
        onResync.run();
      }
      closeLocked();
    }
    // The sender thread is stuck in the socket write; close from another one.
    sender.execute(() -> closeSession(RESYNC_CLOSE));
  }

  /** The connection is gone: drop what is queued and wake any waiting replay. */
  synchronized void close() {
    closeLocked();
  }

  private void failLocked() {
    state = State.FAILING;
    onResync.run();
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
    while (true) {
      Pending next;
      boolean resync = false;
      synchronized (this) {
        next = queue.pollFirst();
        if (next != null) {
          queuedBytes -= next.message().getPayloadLength();
          notifyAll();
        } else {
          draining = false;
          if (state == State.FAILING) {
            state = State.CLOSED;
            resync = true;
          }
        }
      }
      if (next == null) {
        if (resync) {
          sendResyncAndClose();
        }
        return;
      }
      if (!write(next.message())) {
        return;
      }
      if (next.cursor() != null) {
        lastCursors.put(next.subscription(), next.cursor());
      }
    }
  }

  private boolean write(TextMessage message) {
    try {
      session.sendMessage(message);
      return true;
    } catch (IOException | RuntimeException e) {
      // The decorator's limits, a closed socket or a broken pipe: the client is gone.
      log.debug("Writing to WebSocket session {} failed; closing it", session.getId(), e);
      close();
      closeSession(RESYNC_CLOSE);
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
        session.sendMessage(new TextMessage(frame));
      }
    } catch (IOException | RuntimeException e) {
      log.debug("Could not tell WebSocket session {} to resync", session.getId(), e);
    }
    closeSession(RESYNC_CLOSE);
  }

  private void closeSession(CloseStatus status) {
    try {
      session.close(status);
    } catch (IOException | RuntimeException e) {
      log.debug("Closing WebSocket session {} failed", session.getId(), e);
    }
  }

  private record Pending(TextMessage message, String subscription, String cursor) {}
}
