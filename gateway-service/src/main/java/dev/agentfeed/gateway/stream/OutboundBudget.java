package dev.agentfeed.gateway.stream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the gateway may hold in frames not yet written to clients: {@code max-outbound-buffer} per
 * connection, and {@code max-outbound-total} for all connections together. A connection whose own
 * frames would pass its bound is behind; so is one that holds more than a sixteenth of that bound
 * (64 KB by default) while all together hold the total. Either is told to resync and closed, so the
 * gateway's memory stays bounded however many clients fall behind at once, and a client that keeps
 * up, holding a few frames at a time, is never the one cut off. The sizes are characters of JSON,
 * as the frames are held.
 */
final class OutboundBudget {

  private final long perConnection;
  private final long replayFill;
  private final long total;
  private final long behind;
  private final AtomicLong queued = new AtomicLong();

  /**
   * @param replayFill how much of its own bound a connection may hold before a replay to it waits
   *     ({@link dev.agentfeed.gateway.GatewayProperties#replayFillBytes()})
   */
  OutboundBudget(long perConnection, long replayFill, long total) {
    this.perConnection = perConnection;
    this.replayFill = replayFill;
    this.total = total;
    this.behind = perConnection / 16;
  }

  long perConnection() {
    return perConnection;
  }

  /**
   * Why a connection that holds {@code held} may not be given {@code size} more, or null when it
   * may.
   */
  String refusal(long held, long size) {
    if (held + size > perConnection) {
      return "fell behind by more than " + perConnection + " bytes";
    }
    if (held > behind && queued.get() + size > total) {
      return "holds "
          + held
          + " bytes while all clients together hold the gateway's "
          + total
          + " bytes";
    }
    return null;
  }

  /**
   * Whether a replay should wait before it queues more for a connection that holds {@code held}:
   * over its replay fill (half its own bound), or behind while all together hold the total.
   */
  boolean replayWaits(long held) {
    return held > replayFill || (held > behind && queued.get() >= total);
  }

  void added(long size) {
    queued.addAndGet(size);
  }

  void removed(long size) {
    queued.addAndGet(-size);
  }

  /** What all connections hold now. */
  long queued() {
    return queued.get();
  }
}
