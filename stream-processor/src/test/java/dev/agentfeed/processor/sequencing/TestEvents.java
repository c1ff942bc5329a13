package dev.agentfeed.processor.sequencing;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/** Raw events as ingest writes them: no seq, no tier, {@code receivedAt} set. */
final class TestEvents {

  static final Instant T0 = Instant.parse("2026-01-30T12:00:00Z");

  private static final EventCodec CODEC = new EventCodec();

  private TestEvents() {}

  static EventEnvelope toolStarted(String org, String session, String id) {
    ObjectNode data = CODEC.mapper().createObjectNode().put("toolId", "tool-" + id);
    return raw(org, session, id, EventType.TOOL_STARTED, data.put("toolName", "Read"));
  }

  static EventEnvelope toolCompleted(String org, String session, String id, boolean success) {
    ObjectNode data =
        CODEC
            .mapper()
            .createObjectNode()
            .put("toolId", "tool-" + id)
            .put("toolName", "Read")
            .put("success", success);
    return raw(org, session, id, EventType.TOOL_COMPLETED, data);
  }

  static EventEnvelope toolFailed(String org, String session, String id) {
    ObjectNode data =
        CODEC
            .mapper()
            .createObjectNode()
            .put("toolId", "tool-" + id)
            .put("toolName", "Bash")
            .put("error", "exit 1");
    return raw(org, session, id, EventType.TOOL_FAILED, data);
  }

  static EventEnvelope raw(String org, String session, String id, EventType type, ObjectNode data) {
    return new EventEnvelope(
        id, type, org, session, "executor", "sandbox/sbx-1", T0, data, T0, null, null);
  }
}
