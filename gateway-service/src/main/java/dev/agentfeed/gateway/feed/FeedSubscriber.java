package dev.agentfeed.gateway.feed;

/**
 * Receives the records of one session, or of every session of one organisation, from one partition
 * in offset order: from history and then the live feed.
 */
public interface FeedSubscriber {

  /** The organisation whose records this subscriber may get; never null. */
  String orgId();

  /** The one session this subscriber follows, or null when it follows the whole organisation. */
  String sessionId();

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

  /** Whether the record belongs to what this subscriber follows: (org, session) or org. */
  default boolean follows(FeedRecord record) {
    return record.orgId().equals(orgId())
        && (sessionId() == null || record.session().sessionId().equals(sessionId()));
  }
}
