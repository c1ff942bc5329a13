package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.feed.FeedRecord;
import java.util.List;

/** Where a subscription's frames go: a WebSocket connection or an SSE stream. */
interface FrameSink {

  /** False once the sink is closing or closed. */
  boolean open();

  /** Blocks a replay until the sink has room; returns {@link #open()}. */
  boolean awaitRoom();

  /**
   * Queues an {@code event} or {@code batch} frame of a subscription; never blocks.
   *
   * @param events the events in it, for the end-to-end latency
   */
  void offer(
      String op, String json, String subscription, String cursor, List<FeedRecord.Item> events);

  /** Queues any other frame; never blocks. */
  void send(String op, String json);
}
