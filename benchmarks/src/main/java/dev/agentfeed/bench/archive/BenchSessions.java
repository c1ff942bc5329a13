package dev.agentfeed.bench.archive;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.Tiers;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;
import tools.jackson.databind.node.ObjectNode;

/**
 * Enriched events as the stream processor writes them to {@code events.enriched} (seq from 1, tier
 * and receivedAt set), for sessions of one benchmark run: a mix of tool calls, message chunks and
 * logs padded to about the requested size, the last one {@code session.completed}.
 */
final class BenchSessions {

  private static final EventCodec CODEC = new EventCodec();

  private final String orgId;
  private final String run;

  /** Words of agent output, so payloads compress about as real ones do (not like "xxxx"). */
  private static final String[] WORDS = {
    "the",
    "test",
    "fails",
    "because",
    "null",
    "returned",
    "from",
    "parseConfig",
    "when",
    "file",
    "is",
    "missing",
    "src/main/java/App.java",
    "line",
    "42",
    "fixed",
    "by",
    "checking",
    "Optional",
    "assertThat(result).isEqualTo(expected);",
    "mvn",
    "verify",
    "BUILD",
    "SUCCESS",
    "import",
    "java.util.List;",
    "public",
    "void",
    "run()",
    "{",
    "}",
    "retry",
    "timeout",
    "Kafka",
    "offset",
    "commit",
    "S3",
    "upload",
    "manifest",
    "sha256",
    "0x7f3a",
    "diff",
    "--git",
    "+",
    "-",
    "@@"
  };

  private final int paddingBytes;
  private final Random random = new Random(42);
  private final Instant start = Instant.now();

  BenchSessions(String run, int eventBytes) {
    this.run = run;
    this.orgId = orgOf(run);
    this.paddingBytes = Math.max(0, eventBytes - 400);
  }

  private String padding() {
    StringBuilder text = new StringBuilder(paddingBytes + 40);
    while (text.length() < paddingBytes) {
      text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
    }
    return text.toString();
  }

  static String orgOf(String run) {
    return "org-" + run;
  }

  String orgId() {
    return orgId;
  }

  String sessionId(int session) {
    return String.format(Locale.ROOT, "%s-ses-%05d", run, session);
  }

  byte[] event(int session, long seq, boolean last) {
    ObjectNode data = CODEC.mapper().createObjectNode();
    EventType type;
    if (seq == 1) {
      type = EventType.SESSION_STARTED;
      data.put("title", "benchmark session").put("model", "claude-sonnet-4");
    } else if (last) {
      type = EventType.SESSION_COMPLETED;
      data.put("summary", "done").put("turns", seq / 4);
    } else if (seq % 3 == 0) {
      type = EventType.TOOL_STARTED;
      data.put("toolId", "toolu_" + seq).put("toolName", "Read");
      data.putObject("input").put("file_path", "src/Main.java").put("note", padding());
    } else if (seq % 3 == 1) {
      type = EventType.TOOL_COMPLETED;
      data.put("toolId", "toolu_" + (seq - 1)).put("toolName", "Read").put("durationMs", 12);
      data.put("resultSummary", padding()).put("success", true);
    } else {
      type = EventType.MESSAGE_CHUNK;
      data.put("messageId", "msg_" + seq).put("chunkIndex", 0).put("text", padding());
    }
    Instant ts = start.plusMillis(seq * 10);
    EventEnvelope event =
        new EventEnvelope(
            sessionId(session) + "-e" + seq,
            type,
            orgId,
            sessionId(session),
            "executor-high",
            "sandbox/bench",
            ts,
            data,
            ts.plusMillis(2),
            seq,
            null);
    return CODEC.toBytes(event.withTier(Tiers.of(event)));
  }
}
