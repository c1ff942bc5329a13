package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.feed.FeedRecord;
import dev.agentfeed.gateway.feed.FeedSubscriber;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One subscription of a connection: to one (org, session), or to every session of the org. Fed per
 * partition first by a replay (if any) and then by the live reader, each in offset order and each
 * through a seq fence that drops what a re-run of an aborted processor transaction re-emits. An
 * org-wide subscription keeps the next offset of every partition it reads; every frame's cursor is
 * that vector as it was right after the frame, so resuming from it continues with exactly the next
 * frame even when frames of several partitions interleave. A single-session subscription reads one
 * partition, so its cursor names the position right after the frame's record, and the highest seq
 * it has passed on: it drops any event at or below that seq (so its own delivery never repeats a
 * seq, whichever reader fed it), so that a resume starts from it. Records whose events the type
 * filter drops all advance the vector (and the seq) but send nothing. Once cancelled it forwards
 * nothing more: cancel and forward share its lock, so no frame follows an {@code unsubscribed}
 * frame.
 */
final class Subscription implements FeedSubscriber {

  private final String id;
  // The id as it appears in every frame, escaped once rather than per frame.
  private final String quotedId;
  private final String orgId;
  private final String sessionId;
  private final TypeFilter filter;
  private final FrameSink sink;
  private final CursorCodec cursors;
  private final Frames frames;
  private final String scope;
  // Org-wide subscriptions: the next offset per partition.
  private final SortedMap<Integer, Long> next = new TreeMap<>();
  // Single-session subscriptions: the highest seq passed on (0: none yet).
  private long lastSeq;
  private boolean cancelled;

  Subscription(
      String id,
      String orgId,
      String sessionId,
      TypeFilter filter,
      FrameSink sink,
      CursorCodec cursors,
      Frames frames) {
    this.id = id;
    this.quotedId = frames.quote(id);
    this.orgId = orgId;
    this.sessionId = sessionId;
    this.filter = filter;
    this.sink = sink;
    this.cursors = cursors;
    this.frames = frames;
    this.scope =
        sessionId == null
            ? CursorCodec.orgScope(orgId)
            : CursorCodec.scopeOf(new dev.agentfeed.model.SessionRef(orgId, sessionId));
  }

  String id() {
    return id;
  }

  @Override
  public String orgId() {
    return orgId;
  }

  @Override
  public String sessionId() {
    return sessionId;
  }

  boolean orgWide() {
    return sessionId == null;
  }

  /** Where each partition starts, before anything is delivered (org-wide subscriptions). */
  synchronized void startAt(Map<Integer, Long> starts) {
    next.putAll(starts);
  }

  /** A resumed single-session subscription has passed on every seq up to {@code seq} before. */
  synchronized void resumeAfterSeq(long seq) {
    lastSeq = Math.max(lastSeq, seq);
  }

  @Override
  public synchronized void onRecord(FeedRecord record) {
    // A connection that fell behind takes no more frames (it is told to resync from the last one
    // it was written): building them would only cost the other clients CPU until it is closed,
    // which can take the send-time limit when its socket is full.
    if (cancelled || !sink.open()) {
      return;
    }
    List<FeedRecord.Item> fresh = record.events();
    if (sessionId == null) {
      // Only an org-wide cursor is made from the vector; a session's names the record itself.
      next.put(record.partition(), record.offset() + 1);
    } else {
      fresh = record.eventsAfter(lastSeq);
      lastSeq = Math.max(lastSeq, FeedRecord.maxSeq(fresh));
    }
    List<FeedRecord.Item> events = filter.select(fresh);
    if (events.isEmpty()) {
      return;
    }
    // A session subscription's cursor depends only on the record (one partition) and its last
    // seq, the same for all of the session's subscribers that were fed alike, so they share it; an
    // org-wide one's on its whole vector, which is the same too for the org's subscribers that
    // have followed the same partitions alike (the usual live dashboards), so they share it
    // likewise: the MAC is computed once per record rather than once per frame.
    String cursor;
    if (sessionId != null) {
      cursor =
          record.cursor(
              scope,
              lastSeq,
              () -> cursors.encode(scope, record.partition(), record.offset() + 1, lastSeq));
    } else {
      String body = CursorCodec.body(next);
      cursor = record.cursor(scope + ' ' + body, 0, () -> cursors.encodeBody(scope, body));
    }
    if (record.batch()) {
      sink.offer(Frames.BATCH, frames.batch(quotedId, cursor, events), id, cursor, events);
    } else {
      sink.offer(
          Frames.EVENT, frames.event(quotedId, cursor, events.get(0).json()), id, cursor, events);
    }
  }

  @Override
  public synchronized boolean active() {
    return !cancelled && sink.open();
  }

  @Override
  public boolean awaitRoom() {
    return sink.awaitRoom() && active();
  }

  synchronized void cancel() {
    cancelled = true;
  }
}
