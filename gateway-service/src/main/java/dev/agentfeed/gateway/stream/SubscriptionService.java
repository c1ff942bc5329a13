package dev.agentfeed.gateway.stream;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.gateway.feed.FeedReader;
import dev.agentfeed.gateway.feed.HistoryReader;
import dev.agentfeed.gateway.feed.HistoryReader.HistoryGoneException;
import dev.agentfeed.gateway.feed.PartitionFeed;
import dev.agentfeed.gateway.feed.SessionDirectory;
import dev.agentfeed.gateway.feed.SessionPartitioner;
import dev.agentfeed.model.SessionRef;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes and unsubscribes. A subscription is always confined to the caller's org: it is matched
 * on (orgId, sessionId), and a subscribe that names another org, another session than a
 * session-restricted token allows, or a session id seen only under other orgs is {@code forbidden}.
 * {@code live} registers with the live reader at once; {@code beginning} and a cursor start a
 * replay on the replay pool, off the reader thread and off the WebSocket I/O thread.
 */
final class SubscriptionService {

  private static final Logger log = LoggerFactory.getLogger(SubscriptionService.class);

  private final FeedReader reader;
  private final HistoryReader history;
  private final SessionDirectory directory;
  private final CursorCodec cursors;
  private final Frames frames;
  private final ExecutorService replays;
  private final Semaphore replaySlots;
  private final int maxSubscriptions;

  SubscriptionService(
      FeedReader reader,
      HistoryReader history,
      SessionDirectory directory,
      CursorCodec cursors,
      Frames frames,
      ExecutorService replays,
      GatewayProperties properties) {
    this.reader = reader;
    this.history = history;
    this.directory = directory;
    this.cursors = cursors;
    this.frames = frames;
    this.replays = replays;
    this.replaySlots = new Semaphore(properties.replayThreads() + properties.replayQueue());
    this.maxSubscriptions = properties.maxSubscriptionsPerConnection();
  }

  void subscribe(Connection connection, SubscribeRequest request) {
    SessionRef session = authorize(connection.caller(), request);
    int partitions = reader.partitionCount();
    if (partitions == 0) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE,
          "the gateway has not found topic " + reader.topic() + " yet; subscribe again later");
    }
    CursorCodec.Position cursor = cursorOf(session, request.from(), partitions);
    int partition =
        cursor != null
            ? cursor.partition()
            : SessionPartitioner.partitionOf(session.sessionId(), partitions);
    PartitionFeed feed =
        reader
            .partition(partition)
            .orElseThrow(() -> new IllegalStateException("no partition " + partition));
    if (connection.subscriptionCount() >= maxSubscriptions) {
      throw new ProtocolException(
          ErrorCode.LIMIT_EXCEEDED,
          "a connection may hold at most " + maxSubscriptions + " subscriptions");
    }
    boolean live = SubscribeRequest.LIVE.equals(request.from());
    if (!live && !replaySlots.tryAcquire()) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE, "too many history replays are running; subscribe again later");
    }
    Subscription subscription = new Subscription(request.id(), session, partition, connection);
    if (!connection.add(subscription)) {
      if (!live) {
        replaySlots.release();
      }
      throw new ProtocolException(
          ErrorCode.DUPLICATE_SUBSCRIPTION,
          "subscription \"" + request.id() + "\" exists on this connection; unsubscribe it first");
    }
    // Queued before the subscription can receive anything, so it always precedes its events.
    connection.send(
        frames.subscribed(request.id(), session.orgId(), session.sessionId(), request.from()));
    if (live) {
      feed.registerLive(subscription);
    } else {
      long start = cursor == null ? -1 : cursor.offset() + 1;
      try {
        replays.execute(() -> replay(connection, subscription, feed, start));
      } catch (RejectedExecutionException e) {
        // Only while shutting down: the pool's queue is unbounded and the slots bound it.
        replaySlots.release();
        drop(connection, subscription, ErrorCode.UNAVAILABLE, "the gateway is shutting down");
      }
    }
  }

  void unsubscribe(Connection connection, String id) {
    Subscription subscription = connection.remove(id);
    if (subscription == null) {
      throw new ProtocolException(
          ErrorCode.NOT_SUBSCRIBED, "there is no subscription \"" + id + "\" on this connection");
    }
    cancel(subscription);
    connection.send(frames.unsubscribed(id));
  }

  /** The connection closed: every subscription of it goes, so nothing of it stays in memory. */
  void closeAll(Connection connection) {
    connection.close();
    for (Subscription subscription : connection.subscriptions()) {
      connection.remove(subscription);
      cancel(subscription);
    }
  }

  private SessionRef authorize(Caller caller, SubscribeRequest request) {
    String org = caller.orgId();
    if (request.orgId() != null && !request.orgId().equals(org)) {
      throw new ProtocolException(
          ErrorCode.FORBIDDEN,
          "the token is for organisation "
              + org
              + "; it cannot read organisation "
              + request.orgId());
    }
    if (!caller.mayAccess(org, request.sessionId())) {
      throw new ProtocolException(
          ErrorCode.FORBIDDEN,
          "the token is restricted to session "
              + caller.sessionId().orElse("?")
              + "; it cannot read session "
              + request.sessionId());
    }
    if (directory.knownOnlyElsewhere(org, request.sessionId())) {
      throw new ProtocolException(
          ErrorCode.FORBIDDEN,
          "session "
              + request.sessionId()
              + " belongs to another organisation; a token of organisation "
              + org
              + " cannot read it");
    }
    return new SessionRef(org, request.sessionId());
  }

  private CursorCodec.Position cursorOf(SessionRef session, String from, int partitions) {
    if (SubscribeRequest.LIVE.equals(from) || SubscribeRequest.BEGINNING.equals(from)) {
      return null;
    }
    CursorCodec.Position position = cursors.decode(session, from);
    if (position.partition() >= partitions) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST,
          "the cursor names partition "
              + position.partition()
              + " but "
              + reader.topic()
              + " has "
              + partitions);
    }
    return position;
  }

  private void replay(
      Connection connection, Subscription subscription, PartitionFeed feed, long start) {
    try {
      if (start < 0) {
        history.replayFromBeginning(feed, subscription);
      } else {
        history.replayFrom(feed, subscription, start);
      }
    } catch (HistoryGoneException e) {
      drop(connection, subscription, ErrorCode.RESYNC_REQUIRED, e.getMessage());
    } catch (RuntimeException e) {
      log.error(
          "Replaying session {} from topic {} partition {} offset {} failed",
          subscription.session().key(),
          reader.topic(),
          feed.partition(),
          start,
          e);
      drop(
          connection,
          subscription,
          ErrorCode.UNAVAILABLE,
          "the history could not be read; subscribe again");
    } finally {
      replaySlots.release();
    }
  }

  private void drop(Connection connection, Subscription subscription, ErrorCode code, String why) {
    if (connection.remove(subscription)) {
      cancel(subscription);
      connection.send(frames.error(subscription.id(), code, why));
    }
  }

  private void cancel(Subscription subscription) {
    // Cancelled first, then unregistered under the partition lock: a replay that joins the live
    // feed after this sees it cancelled and does not register it again.
    subscription.cancel();
    reader.partition(subscription.partition()).ifPresent(feed -> feed.unregister(subscription));
  }
}
