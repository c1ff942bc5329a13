package dev.agentfeed.archiver.testing;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.Tiers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Enriched events as the stream processor writes them to {@code events.enriched}: seq from 1, tier
 * and receivedAt set, one second apart, a realistic mix of types.
 */
public final class TestSessions {

  private static final EventCodec CODEC = new EventCodec();

  private TestSessions() {}

  /** {@code session.started}, {@code count - 2} events of work, then {@code session.completed}. */
  public static List<EventEnvelope> completed(
      String orgId, String sessionId, int count, Instant start) {
    List<EventEnvelope> events = new ArrayList<>(open(orgId, sessionId, count - 1, start));
    ObjectNode data = CODEC.mapper().createObjectNode().put("summary", "done").put("turns", 3);
    events.add(event(orgId, sessionId, count, start, EventType.SESSION_COMPLETED, data));
    return events;
  }

  /** {@code session.started} and {@code count - 1} events of work, without an end. */
  public static List<EventEnvelope> open(String orgId, String sessionId, int count, Instant start) {
    List<EventEnvelope> events = new ArrayList<>();
    for (int seq = 1; seq <= count; seq++) {
      events.add(work(orgId, sessionId, seq, start));
    }
    return events;
  }

  /** The events of two sessions taking turns, as sessions that run at once reach the topic. */
  public static List<EventEnvelope> interleave(List<EventEnvelope> a, List<EventEnvelope> b) {
    List<EventEnvelope> all = new ArrayList<>();
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      if (i < a.size()) {
        all.add(a.get(i));
      }
      if (i < b.size()) {
        all.add(b.get(i));
      }
    }
    return all;
  }

  /** Event {@code seq} of a session whose first event is at {@code start}. */
  public static EventEnvelope work(String orgId, String sessionId, long seq, Instant start) {
    ObjectNode data = CODEC.mapper().createObjectNode();
    EventType type;
    if (seq == 1) {
      type = EventType.SESSION_STARTED;
      data.put("title", "Fix the flaky test").put("model", "claude-sonnet-4");
    } else if (seq % 4 == 2) {
      type = EventType.TOOL_STARTED;
      data.put("toolId", "toolu_" + seq).put("toolName", "Read");
      data.putObject("input").put("file_path", "src/Main.java");
    } else if (seq % 4 == 3) {
      type = EventType.TOOL_COMPLETED;
      data.put("toolId", "toolu_" + (seq - 1)).put("toolName", "Read").put("durationMs", 12);
      data.put("resultSummary", "248 lines").put("success", true);
    } else if (seq % 4 == 0) {
      type = EventType.MESSAGE_CHUNK;
      data.put("messageId", "msg_" + seq).put("chunkIndex", 0).put("text", "Looking at ünïcode\n");
    } else {
      type = EventType.LOG;
      data.put("level", "info").put("message", "step " + seq);
    }
    return event(orgId, sessionId, seq, start, type, data);
  }

  private static EventEnvelope event(
      String orgId, String sessionId, long seq, Instant start, EventType type, ObjectNode data) {
    Instant ts = start.plus(Duration.ofSeconds(seq - 1));
    EventEnvelope event =
        new EventEnvelope(
            sessionId + "-e" + seq,
            type,
            orgId,
            sessionId,
            "executor-high",
            "sandbox/sbx-77",
            ts,
            data,
            ts.plusMillis(5),
            seq,
            null);
    return event.withTier(Tiers.of(event));
  }
}
