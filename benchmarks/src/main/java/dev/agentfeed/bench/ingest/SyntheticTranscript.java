package dev.agentfeed.bench.ingest;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Claude Code session in stream-json as the benchmark feeds it: init, a streamed answer, and
 * twenty rounds of Read, Edit and Bash calls with their results, then the result line. The shapes
 * are those of {@code claude -p --output-format stream-json --include-partial-messages}.
 */
final class SyntheticTranscript {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private SyntheticTranscript() {}

  static List<String> lines() {
    List<ObjectNode> lines = new ArrayList<>();
    String session = "bench-claude-session";
    ObjectNode init = line("system", session, "u-init").put("subtype", "init");
    init.put("cwd", "/repo").put("model", "claude-sonnet-4-5");
    init.putArray("tools").add("Read").add("Edit").add("Bash");
    lines.add(init);
    lines.add(
        streamEvent(
            session, "u-s0", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_0\"}}"));
    for (int c = 0; c < 10; c++) {
      lines.add(
          streamEvent(
              session,
              "u-d" + c,
              "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                  + "\"text\":\"part "
                  + c
                  + " of the plan. \"}}"));
    }
    lines.add(
        assistant(
            session,
            "u-a0",
            "msg_0",
            JSON.createObjectNode().put("type", "text").put("text", "plan")));
    String file = "import os\n\n" + "def f():\n    return 1\n".repeat(40);
    for (int round = 0; round < 20; round++) {
      String read = "toolu_r" + round;
      String edit = "toolu_e" + round;
      String bash = "toolu_b" + round;
      lines.add(
          assistant(
              session,
              "u-r" + round,
              "msg_r" + round,
              toolUse(
                  read,
                  "Read",
                  JSON.createObjectNode().put("file_path", "/repo/m" + round + ".py"))));
      lines.add(result(session, "u-rr" + round, read, file, false));
      ObjectNode editInput =
          JSON.createObjectNode()
              .put("file_path", "/repo/m" + round + ".py")
              .put("old_string", "    return 1\n")
              .put("new_string", "    value = compute()\n    return value\n");
      lines.add(
          assistant(session, "u-e" + round, "msg_e" + round, toolUse(edit, "Edit", editInput)));
      lines.add(result(session, "u-er" + round, edit, "The file has been updated.", false));
      lines.add(
          assistant(
              session,
              "u-b" + round,
              "msg_b" + round,
              toolUse(
                  bash,
                  "Bash",
                  JSON.createObjectNode()
                      .put("command", "pytest -q tests/test_m" + round + ".py"))));
      lines.add(
          result(
              session,
              "u-br" + round,
              bash,
              "....\n" + (round % 5 == 0 ? "1 failed" : "4 passed") + " in 0.31s",
              round % 5 == 0));
    }
    ObjectNode result = line("result", session, "u-result").put("subtype", "success");
    result
        .put("is_error", false)
        .put("result", "done")
        .put("duration_ms", 60000)
        .put("num_turns", 61);
    lines.add(result);
    return lines.stream().map(ObjectNode::toString).toList();
  }

  /** Events whose data carries credentials of several kinds in long tool output. */
  static List<ObjectNode> eventsWithSecrets(JsonMapper json) {
    List<ObjectNode> events = new ArrayList<>();
    String[] outputs = {
      "export AWS_ACCESS_KEY_ID=AKIA" + "IOSFODNN7EXAMPLE\n" + "log line\n".repeat(50),
      "git clone https://x:ghp_" + "a".repeat(36) + "@github.com/acme/app\n" + "ok\n".repeat(50),
      "psql postgres://app:s3cr3t@db/app -c 'select 1'\npassword=hunter2\n" + "row\n".repeat(50),
      "Authorization: Bearer eyJ"
          + "hbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\n"
    };
    for (int i = 0; i < outputs.length; i++) {
      ObjectNode event = json.createObjectNode().put("type", "tool.completed");
      event
          .putObject("data")
          .put("toolId", "t" + i)
          .put("toolName", "Bash")
          .put("output", outputs[i]);
      events.add(event);
    }
    return events;
  }

  private static ObjectNode line(String type, String session, String uuid) {
    return JSON.createObjectNode().put("type", type).put("session_id", session).put("uuid", uuid);
  }

  private static ObjectNode streamEvent(String session, String uuid, String event) {
    ObjectNode line = line("stream_event", session, uuid);
    line.set("event", JSON.readTree(event));
    return line;
  }

  private static ObjectNode assistant(String session, String uuid, String id, ObjectNode block) {
    ObjectNode line = line("assistant", session, uuid);
    line.putObject("message").put("id", id).putArray("content").add(block);
    return line;
  }

  private static ObjectNode toolUse(String id, String name, ObjectNode input) {
    ObjectNode block =
        JSON.createObjectNode().put("type", "tool_use").put("id", id).put("name", name);
    block.set("input", input);
    return block;
  }

  private static ObjectNode result(
      String session, String uuid, String toolId, String content, boolean error) {
    ObjectNode line = line("user", session, uuid);
    ArrayNode blocks = line.putObject("message").putArray("content");
    blocks
        .addObject()
        .put("type", "tool_result")
        .put("tool_use_id", toolId)
        .put("content", content)
        .put("is_error", error);
    return line;
  }
}
