package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.feed.FeedRecord;
import dev.agentfeed.gateway.feed.FeedSubscriber;
import dev.agentfeed.model.SessionRef;

/**
 * One subscription of a connection to one (org, session), fed first by its replay (if any) and then
 * by the live reader, both in offset order. Once cancelled it forwards nothing more: cancel and
 * forward share its lock, so no event frame follows an {@code unsubscribed} frame.
 */
final class Subscription implements FeedSubscriber {

  private final String id;
  private final SessionRef session;
  private final int partition;
  private final Connection connection;
  private boolean cancelled;

  Subscription(String id, SessionRef session, int partition, Connection connection) {
    this.id = id;
    this.session = session;
    this.partition = partition;
    this.connection = connection;
  }

  String id() {
    return id;
  }

  int partition() {
    return partition;
  }

  @Override
  public SessionRef session() {
    return session;
  }

  @Override
  public synchronized void onRecord(FeedRecord record) {
    if (!cancelled) {
      connection.sendEvent(id, record);
    }
  }

  @Override
  public synchronized boolean active() {
    return !cancelled && connection.open();
  }

  @Override
  public boolean awaitRoom() {
    return connection.awaitRoom() && active();
  }

  synchronized void cancel() {
    cancelled = true;
  }
}
