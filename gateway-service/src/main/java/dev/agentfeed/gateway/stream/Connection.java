package dev.agentfeed.gateway.stream;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.gateway.feed.FeedRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/** One dashboard's WebSocket: who it is, its subscriptions by id, and its outbox. */
final class Connection {

  private final String id;
  private final Caller caller;
  private final Outbox outbox;
  private final Frames frames;
  private final CursorCodec cursors;
  private final Duration maxReplayWait;
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();

  Connection(
      Caller caller,
      ConcurrentWebSocketSessionDecorator session,
      Executor sender,
      Frames frames,
      CursorCodec cursors,
      Duration maxReplayWait,
      Runnable onResync) {
    this.id = session.getId();
    this.caller = caller;
    this.frames = frames;
    this.cursors = cursors;
    this.maxReplayWait = maxReplayWait;
    this.outbox =
        new Outbox(session, sender, session.getBufferSizeLimit(), this::resyncFrames, onResync);
  }

  String id() {
    return id;
  }

  Caller caller() {
    return caller;
  }

  boolean open() {
    return outbox.open();
  }

  void send(String frame) {
    outbox.offer(frame, null, null);
  }

  void sendEvent(String subscriptionId, FeedRecord record) {
    String cursor = cursors.encode(record.session(), record.partition(), record.offset());
    outbox.offer(frames.event(subscriptionId, cursor, record.json()), subscriptionId, cursor);
  }

  boolean awaitRoom() {
    return outbox.awaitRoom(maxReplayWait);
  }

  void closeIfStalled(Duration limit) {
    outbox.closeIfStalled(limit);
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
