package dev.agentfeed.gateway.stream;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.gateway.feed.FeedReader;
import dev.agentfeed.gateway.feed.HistoryReader;
import dev.agentfeed.gateway.feed.HistoryReader.HistoryGoneException;
import dev.agentfeed.gateway.feed.PartitionFeed;
import dev.agentfeed.gateway.feed.SessionDirectory;
import dev.agentfeed.gateway.feed.SessionPartitioner;
import dev.agentfeed.gateway.sessions.SessionIndex;
import dev.agentfeed.gateway.sessions.SessionSummary;
import dev.agentfeed.model.SessionRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes and unsubscribes. A subscription is always confined to the caller's org: it is matched
 * on (orgId, sessionId), or on orgId for an org-wide one, and a subscribe that names another org,
 * another session than a session-restricted token allows, or a session id seen only under other
 * orgs is {@code forbidden}. {@code live} registers with the live reader at once; {@code beginning}
 * and a cursor start a replay on the replay pool, off the reader thread and off the I/O thread.
 * {@code beginning} starts where {@code sessions.stats} says the session's history starts ({@code
 * firstRecordAt}), and ends with {@code resync_required} when retention has deleted the start of
 * it; a cursor resumes each partition it names from its next offset, from the in-memory tail when
 * that still reaches back, and a single-session cursor's last seq is where the resumed
 * subscription's seq fence starts (re-emitted events at or below it are not delivered again).
 */
final class SubscriptionService {

  private static final Logger log = LoggerFactory.getLogger(SubscriptionService.class);

  private final FeedReader reader;
  private final HistoryReader history;
  private final SessionDirectory directory;
  private final SessionIndex index;
  private final CursorCodec cursors;
  private final Frames frames;
  private final ExecutorService replays;
  private final Semaphore replaySlots;
  private final int maxSubscriptions;
  private final StreamMetrics metrics;

  SubscriptionService(
      FeedReader reader,
      HistoryReader history,
      SessionDirectory directory,
      SessionIndex index,
      CursorCodec cursors,
      Frames frames,
      ExecutorService replays,
      GatewayProperties properties,
      StreamMetrics metrics) {
    this.reader = reader;
    this.history = history;
    this.directory = directory;
    this.index = index;
    this.cursors = cursors;
    this.frames = frames;
    this.replays = replays;
    this.replaySlots = new Semaphore(properties.replayThreads() + properties.replayQueue());
    this.maxSubscriptions = properties.maxSubscriptionsPerConnection();
    this.metrics = metrics;
  }

  /** Parses, authorises and starts a subscription; its frames go to {@code connection}. */
  Subscription subscribe(Connection connection, SubscribeRequest request) {
    String org = authorize(connection.caller(), request);
    TypeFilter filter = request.types().isEmpty() ? TypeFilter.ALL : TypeFilter.of(request.types());
    int partitions = reader.partitionCount();
    if (partitions == 0) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE,
          "the gateway has not found topic " + reader.topic() + " yet; subscribe again later");
    }
    Subscription subscription =
        new Subscription(
            request.id(),
            org,
            request.orgWide() ? null : request.sessionId(),
            filter,
            connection,
            cursors,
            frames);
    String scope =
        request.orgWide()
            ? CursorCodec.orgScope(org)
            : CursorCodec.scopeOf(new SessionRef(org, request.sessionId()));
    CursorCodec.Position resumed = cursorOf(scope, request, partitions);
    SortedMap<Integer, Long> resumeFrom = resumed == null ? null : resumed.nextOffsets();
    long resumedSeq = resumed == null ? CursorCodec.NO_SEQ : resumed.lastSeq();
    if (resumedSeq > 0) {
      subscription.resumeAfterSeq(resumedSeq);
    }
    if (connection.subscriptionCount() >= maxSubscriptions) {
      throw new ProtocolException(
          ErrorCode.LIMIT_EXCEEDED,
          "a connection may hold at most " + maxSubscriptions + " subscriptions");
    }
    boolean live = SubscribeRequest.LIVE.equals(request.from()) && !request.orgWide();
    if (!live && !replaySlots.tryAcquire()) {
      throw new ProtocolException(
          ErrorCode.UNAVAILABLE, "too many history replays are running; subscribe again later");
    }
    if (!connection.add(subscription)) {
      if (!live) {
        replaySlots.release();
      }
      throw new ProtocolException(
          ErrorCode.DUPLICATE_SUBSCRIPTION,
          "subscription \"" + request.id() + "\" exists on this connection; unsubscribe it first");
    }
    if (resumeFrom != null) {
      metrics.resumed();
    }
    SortedMap<Integer, Long> cursor =
        resumeFrom == null && SubscribeRequest.LIVE.equals(request.from())
            ? livePositions()
            : resumeFrom;
    // Queued before the subscription can receive anything, so it always precedes its events.
    connection.send(frames.subscribed(request, org));
    if (live) {
      feed(SessionPartitioner.partitionOf(request.sessionId(), partitions))
          .registerLive(subscription);
    } else {
      try {
        replays.execute(() -> replay(connection, subscription, cursor, resumedSeq, partitions));
      } catch (RejectedExecutionException e) {
        // Only while shutting down: the pool's queue is unbounded and the slots bound it.
        replaySlots.release();
        drop(connection, subscription, ErrorCode.UNAVAILABLE, "the gateway is shutting down");
      }
    }
    return subscription;
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

  /**
   * Where an org-wide subscription from {@code live} starts: every partition's live position, fixed
   * before anything can be delivered, so that the very first cursor names a position for each.
   */
  private SortedMap<Integer, Long> livePositions() {
    SortedMap<Integer, Long> starts = new TreeMap<>();
    for (PartitionFeed feed : reader.partitions()) {
      starts.put(feed.partition(), feed.livePosition());
    }
    return starts;
  }

  private void replay(
      Connection connection,
      Subscription subscription,
      SortedMap<Integer, Long> cursor,
      long cursorSeq,
      int partitions) {
    try {
      if (!subscription.orgWide()) {
        replaySession(subscription, cursor, cursorSeq, partitions);
      } else if (cursor != null) {
        subscription.startAt(cursor);
        for (PartitionFeed feed : reader.partitions()) {
          Long start = cursor.get(feed.partition());
          if (start != null) {
            history.replayFrom(feed, subscription, start);
          } else {
            // A partition added since the cursor was issued: all of it is new to the client.
            history.replayPartition(feed, subscription);
          }
        }
      } else {
        replayOrgFromBeginning(subscription);
      }
    } catch (HistoryGoneException e) {
      metrics.resynced();
      drop(connection, subscription, ErrorCode.RESYNC_REQUIRED, e.getMessage());
    } catch (RuntimeException e) {
      log.error(
          "Replaying subscription {} of organisation {} session {} from topic {} failed",
          subscription.id(),
          subscription.orgId(),
          subscription.sessionId(),
          reader.topic(),
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

  private void replaySession(
      Subscription subscription, SortedMap<Integer, Long> cursor, long cursorSeq, int partitions) {
    if (cursor != null) {
      Map.Entry<Integer, Long> position = cursor.entrySet().iterator().next();
      // A cursor with the last seq resumes exactly from it; an older one (no seq) relies on the
      // look-behind.
      history.replayFrom(feed(position.getKey()), subscription, position.getValue(), cursorSeq);
      return;
    }
    SessionRef session = new SessionRef(subscription.orgId(), subscription.sessionId());
    // Unknown to sessions.stats (not yet written, or forgotten): the whole retained partition.
    SessionSummary summary = index.get(session).map(entry -> entry.summary()).orElse(null);
    history.replaySession(
        feed(SessionPartitioner.partitionOf(session.sessionId(), partitions)),
        subscription,
        summary == null ? null : summary.firstRecordAt(),
        summary == null ? 0 : summary.lastSeq());
  }

  /**
   * An org's history, then live: on each partition from the earliest {@code firstRecordAt} of its
   * sessions there, per {@code sessions.stats}, checked against retention as a session's is; from
   * the live position where it has none.
   */
  private void replayOrgFromBeginning(Subscription subscription) {
    int partitions = reader.partitionCount();
    Map<Integer, List<HistoryReader.SessionStart>> sessions = new HashMap<>();
    for (SessionSummary session : index.list(subscription.orgId(), false)) {
      if (session.firstRecordAt() != null) {
        sessions
            .computeIfAbsent(
                SessionPartitioner.partitionOf(session.sessionId(), partitions),
                p -> new ArrayList<>())
            .add(
                new HistoryReader.SessionStart(
                    session.sessionId(), session.firstRecordAt(), session.lastSeq()));
      }
    }
    Map<Integer, HistoryReader.OrgStart> orgStarts = history.orgStarts(sessions);
    SortedMap<Integer, Long> starts = livePositions();
    orgStarts.forEach((partition, start) -> starts.put(partition, start.offset()));
    // Fixed before anything is delivered, so that the very first cursor names every partition.
    subscription.startAt(starts);
    for (PartitionFeed feed : reader.partitions()) {
      HistoryReader.OrgStart orgStart = orgStarts.get(feed.partition());
      Long start = starts.get(feed.partition());
      if (orgStart != null) {
        history.replayOrg(feed, subscription, orgStart);
      } else if (start != null) {
        history.replayFrom(feed, subscription, start);
      } else {
        // A partition added since the live positions were taken: all of it is new.
        history.replayPartition(feed, subscription);
      }
    }
  }

  private String authorize(Caller caller, SubscribeRequest request) {
    String org = caller.orgId();
    if (request.orgId() != null && !request.orgId().equals(org)) {
      throw new ProtocolException(
          ErrorCode.FORBIDDEN,
          "the token is for organisation "
              + org
              + "; it cannot read organisation "
              + request.orgId());
    }
    if (request.orgWide()) {
      if (caller.sessionId().isPresent()) {
        throw new ProtocolException(
            ErrorCode.FORBIDDEN,
            "the token is restricted to session "
                + caller.sessionId().get()
                + "; it cannot read the whole organisation");
      }
      return org;
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
    return org;
  }

  private CursorCodec.Position cursorOf(String scope, SubscribeRequest request, int partitions) {
    String from = request.from();
    if (SubscribeRequest.LIVE.equals(from) || SubscribeRequest.BEGINNING.equals(from)) {
      return null;
    }
    CursorCodec.Position position = cursors.read(scope, from);
    SortedMap<Integer, Long> positions = position.nextOffsets();
    if (!request.orgWide() && positions.size() != 1) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "the cursor is not one of a single-session subscription");
    }
    if (positions.lastKey() >= partitions) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST,
          "the cursor names partition "
              + positions.lastKey()
              + " but "
              + reader.topic()
              + " has "
              + partitions);
    }
    return position;
  }

  private PartitionFeed feed(int partition) {
    return reader
        .partition(partition)
        .orElseThrow(() -> new IllegalStateException("no partition " + partition));
  }

  private void drop(Connection connection, Subscription subscription, ErrorCode code, String why) {
    if (connection.remove(subscription)) {
      cancel(subscription);
      if (connection.answers()) {
        connection.send(frames.error(subscription.id(), code, why));
      } else {
        // An SSE stream carries exactly this one subscription: it ends with it, rather than
        // staying open with nothing to send.
        connection.finish(frames.error(subscription.id(), code, why));
      }
    }
  }

  private void cancel(Subscription subscription) {
    // Cancelled first, then unregistered under each partition lock: a replay that joins the live
    // feed after this sees it cancelled and does not register it again.
    subscription.cancel();
    for (PartitionFeed feed : reader.partitions()) {
      feed.unregister(subscription);
    }
  }
}
