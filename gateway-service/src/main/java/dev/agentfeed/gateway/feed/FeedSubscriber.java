package dev.agentfeed.gateway.feed;

import dev.agentfeed.model.SessionRef;

/** Receives the records of one session, in offset order, from history and then the live feed. */
public interface FeedSubscriber {

  /** The (org, session) whose records this subscriber gets; never the session id alone. */
  SessionRef session();

  /**
   * Hands over one record. Must not block: it is called by the live reader under a partition lock.
   */
  void onRecord(FeedRecord record);

  /** False once the subscriber is gone (unsubscribed, connection closed): stop feeding it. */
  boolean active();

  /**
   * Called by a history replay before each record it hands over, so that a replay goes no faster
   * than the client reads; may block (never called by the live reader).
   *
   * @return {@link #active()} when there is room again
   */
  boolean awaitRoom();
}
