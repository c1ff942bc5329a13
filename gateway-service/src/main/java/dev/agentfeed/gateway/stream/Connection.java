package dev.agentfeed.gateway.stream;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.gateway.feed.FeedRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * One dashboard's connection (a WebSocket, or one SSE stream): who it is, until when its token is
 * valid, its subscriptions by id, and its outbox.
 */
final class Connection implements FrameSink {

  private final String id;
  private final Caller caller;
  private final Instant expiresAt;
  private final Outbox outbox;
  private final Frames frames;
  private final Duration maxReplayWait;
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final boolean answers;
  private volatile long lastHeardMillis;
  private volatile Runnable onClose = () -> {};
  // The pieces so far of a client frame that arrives in several (null between frames), and whether
  // the rest of a frame found too long is being skipped. Only the connection's I/O events touch
  // them, one at a time.
  private StringBuilder partialFrame;
  private boolean skippingFrame;

  Connection(
      Caller caller,
      Instant expiresAt,
      boolean answers,
      Transport transport,
      Executor sender,
      Executor closer,
      OutboundBudget budget,
      Frames frames,
      Duration maxReplayWait,
      StreamMetrics metrics,
      long nowMillis) {
    this.id = transport.id();
    this.caller = caller;
    this.expiresAt = expiresAt;
    this.frames = frames;
    this.maxReplayWait = maxReplayWait;
    this.outbox = new Outbox(transport, sender, closer, budget, this::resyncFrames, metrics);
    this.answers = answers;
    this.lastHeardMillis = nowMillis;
  }

  /**
   * Whether the client can answer (a WebSocket, which answers pings with pongs); an SSE client
   * cannot, so it is never closed as idle.
   */
  boolean answers() {
    return answers;
  }

  /** Runs once the connection is closed, to release what watches it. */
  void onClose(Runnable action) {
    this.onClose = action;
  }

  /** Ends a connection from which nothing has been heard for too long. */
  void closeIdle() {
    outbox.finish(List.of(), Transport.Ending.IDLE);
  }

  String id() {
    return id;
  }

  Caller caller() {
    return caller;
  }

  /** When the token the connection was opened with expires; null if it never does. */
  Instant expiresAt() {
    return expiresAt;
  }

  /** The client sent something (a frame, a pong): it is still there. */
  void heard(long nowMillis) {
    lastHeardMillis = nowMillis;
  }

  /**
   * Joins the pieces of a client frame that the container hands over in several, because it is
   * longer than the container's message buffer.
   *
   * @return the whole frame once its last piece is in; null while pieces are still to come or the
   *     rest of a too long frame is being skipped
   * @throws ProtocolException {@code bad_request} once a frame grows beyond {@code maxChars}; the
   *     rest of it is skipped
   */
  String assemble(String piece, boolean last, int maxChars) {
    if (skippingFrame) {
      skippingFrame = !last;
      return null;
    }
    int length = (partialFrame == null ? 0 : partialFrame.length()) + piece.length();
    if (length > maxChars) {
      partialFrame = null;
      skippingFrame = !last;
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST,
          "a frame may hold at most " + maxChars + " characters; this one was ignored");
    }
    if (partialFrame == null) {
      if (last) {
        // The usual case: the frame came in one piece.
        return piece;
      }
      partialFrame = new StringBuilder(Math.min(maxChars, 4 * piece.length()));
    }
    partialFrame.append(piece);
    if (!last) {
      return null;
    }
    String frame = partialFrame.toString();
    partialFrame = null;
    return frame;
  }

  long lastHeardMillis() {
    return lastHeardMillis;
  }

  @Override
  public boolean open() {
    return outbox.open();
  }

  @Override
  public void send(String op, String json) {
    outbox.offer(op, json, null, null, null);
  }

  /** Queues a frame built by {@link Frames}, named by its op. */
  void send(String json) {
    send(Frames.opOf(json), json);
  }

  @Override
  public void offer(
      String op, String json, String subscription, String cursor, List<FeedRecord.Item> events) {
    outbox.offer(op, json, subscription, cursor, events);
  }

  @Override
  public boolean awaitRoom() {
    return outbox.awaitRoom(maxReplayWait);
  }

  /** Whether a sender thread has been blocked writing to this client for over {@code millis}. */
  boolean senderBlockedLongerThan(long millis) {
    return outbox.senderBlockedLongerThan(millis);
  }

  void closeIfStalled(Duration limit) {
    outbox.closeIfStalled(limit);
  }

  /**
   * Ends the connection from the gateway's side: every subscription gets an error frame with {@code
   * code}, then the socket closes.
   */
  void end(ErrorCode code, String message, Transport.Ending why) {
    List<String> last = new ArrayList<>();
    for (String subscription : subscriptions.keySet()) {
      last.add(frames.error(subscription, code, message));
    }
    if (last.isEmpty()) {
      last.add(frames.error(null, code, message));
    }
    outbox.finish(last, why);
  }

  /** Sends {@code frame} as the last frame, then closes the socket. */
  void finish(String frame) {
    outbox.finish(List.of(frame), Transport.Ending.RESYNC);
  }

  /** Adds the subscription unless its id is taken; returns whether it was added. */
  boolean add(Subscription subscription) {
    return subscriptions.putIfAbsent(subscription.id(), subscription) == null;
  }

  Subscription remove(String subscriptionId) {
    Subscription removed = subscriptions.remove(subscriptionId);
    if (removed != null) {
      outbox.forget(subscriptionId);
    }
    return removed;
  }

  boolean remove(Subscription subscription) {
    boolean removed = subscriptions.remove(subscription.id(), subscription);
    if (removed) {
      outbox.forget(subscription.id());
    }
    return removed;
  }

  int subscriptionCount() {
    return subscriptions.size();
  }

  Collection<Subscription> subscriptions() {
    return List.copyOf(subscriptions.values());
  }

  void close() {
    outbox.close();
    onClose.run();
  }

  /**
   * One {@code resync_required} error per subscription, with the cursor to resume it from (none if
   * it got no event yet: subscribe again as before).
   */
  private List<String> resyncFrames(Map<String, String> lastCursors) {
    String message =
        "the connection fell too far behind and is being closed; subscribe again from the cursor"
            + " given here (or as before if there is none)";
    List<String> result = new ArrayList<>();
    for (String subscription : subscriptions.keySet()) {
      result.add(
          frames.error(
              subscription, ErrorCode.RESYNC_REQUIRED, message, lastCursors.get(subscription)));
    }
    if (result.isEmpty()) {
      result.add(frames.error(null, ErrorCode.RESYNC_REQUIRED, message));
    }
    return result;
  }
}
