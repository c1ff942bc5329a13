package dev.agentfeed.bench.processor;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/**
 * Raw events as ingest writes them. The throughput mix is an agent's typical stream: per 8 events
 * two tool calls (started, completed), a failed call, a log line, three message chunks and a phase
 * change — half tier 1, half tier 2. A message's chunks share an id for 100 events of the session
 * (37 or 38 chunks); by default it never completes, and with {@code completeMessages} the first
 * chunk slot from the 92nd event of its span is its {@code message.completed} instead. Latency
 * events are {@code message.chunk}s (tier 1, the most frequent live event) whose id carries the
 * time they were sent.
 */
final class BenchEvents {

  private static final EventType[] MIX = {
    EventType.TOOL_STARTED,
    EventType.MESSAGE_CHUNK,
    EventType.TOOL_COMPLETED,
    EventType.LOG,
    EventType.MESSAGE_CHUNK,
    EventType.TOOL_FAILED,
    EventType.MESSAGE_CHUNK,
    EventType.WORKFLOW_PHASE_CHANGED
  };

  private static final String LATENCY_PREFIX = "lat-";

  private final EventCodec codec = new EventCodec();
  private final String org;
  private final String text;
  private final boolean completeMessages;

  BenchEvents(String org, int textBytes, boolean completeMessages) {
    this.org = org;
    this.text = "x".repeat(textBytes);
    this.completeMessages = completeMessages;
  }

  /** The {@code n}-th event of the throughput mix for {@code session}. */
  byte[] mixed(String session, long n) {
    EventType type = MIX[(int) (n % MIX.length)];
    ObjectNode data = codec.mapper().createObjectNode();
    switch (type) {
      case TOOL_STARTED, TOOL_COMPLETED, TOOL_FAILED -> {
        data.put("toolId", "t-" + n).put("toolName", "Bash");
        data.putObject("input").put("command", text);
        if (type == EventType.TOOL_COMPLETED) {
          data.put("success", true).put("durationMs", 12).put("resultPreview", text);
        } else if (type == EventType.TOOL_FAILED) {
          data.put("error", "exit 1");
        }
      }
      case MESSAGE_CHUNK -> {
        data.put("messageId", "m-" + session + "-" + n / 100);
        if (completeMessages && completesMessage(n)) {
          type = EventType.MESSAGE_COMPLETED;
        } else {
          data.put("chunkIndex", n % 100).put("text", text);
        }
      }
      case WORKFLOW_PHASE_CHANGED -> data.put("phase", "phase-" + n % 5);
      default -> data.put("message", text);
    }
    return encode("e-" + n, type, session, data);
  }

  /** Whether the chunk slot {@code n} is the first from the 92nd event of its message's span. */
  private static boolean completesMessage(long n) {
    if (n % 100 < 92) {
      return false;
    }
    for (long earlier = n - n % 100 + 92; earlier < n; earlier++) {
      if (MIX[(int) (earlier % MIX.length)] == EventType.MESSAGE_CHUNK) {
        return false;
      }
    }
    return true;
  }

  /** A tier-1 event whose id carries {@code sentNanos}. */
  byte[] timed(String session, long sentNanos, long n) {
    ObjectNode data = codec.mapper().createObjectNode();
    data.put("messageId", "lm-" + session + "-" + n / 100).put("chunkIndex", n % 100);
    data.put("text", text);
    return encode(LATENCY_PREFIX + sentNanos, EventType.MESSAGE_CHUNK, session, data);
  }

  /** The send time a latency event carries in its id, or -1 for other events. */
  static long sentNanos(String id) {
    return id.startsWith(LATENCY_PREFIX)
        ? Long.parseLong(id.substring(LATENCY_PREFIX.length()))
        : -1;
  }

  private byte[] encode(String id, EventType type, String session, ObjectNode data) {
    Instant now = Instant.now();
    return codec.toBytes(
        new EventEnvelope(
            id, type, org, session, "bench-agent", "bench", now, data, now, null, null));
  }
}
