package dev.agentfeed.ingest.claudecode;

import dev.agentfeed.ingest.redaction.SecretRedactor;
import dev.agentfeed.ingest.redaction.StreamedTextRedaction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the lines of one Claude Code {@code --output-format stream-json} transcript into agentfeed
 * events (envelopes as JSON, to be validated, redacted and stored like any other), one line at a
 * time as they arrive. It keeps what later lines need: when each tool started, which streamed
 * blocks were already sent as chunks, which files the session has touched.
 *
 * <p>Every event id is a hash of the Claude session id, the line's {@code uuid} and the event's
 * place in the line, so posting the same transcript again yields the same ids and stores nothing
 * twice. Times: stream-json lines carry none, so an event's {@code ts} is when its line arrived
 * (the injected clock), and a tool's duration is the time between its {@code tool_use} and its
 * {@code tool_result} lines.
 *
 * <p>Not thread-safe: one instance per request.
 */
public final class ClaudeCodeTranscript {

  /** The {@code source} of every event made here. */
  public static final String SOURCE = "claude-code";

  /** Longest tool output kept as the preview in {@code tool.completed}/{@code tool.failed}. */
  static final int PREVIEW_CHARS = 4096;

  /** Longest one-line result summary. */
  static final int SUMMARY_CHARS = 200;

  /** Longest raw line kept in the {@code log} event of an unknown line type. */
  static final int RAW_CHARS = 4096;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String orgId;
  private final String sessionId;
  private final Clock clock;
  private String claudeSessionId;
  private boolean ended;
  private int lines;

  /** Blocks of each assistant message seen so far in complete {@code assistant} lines. */
  private final Map<String, Integer> blocksSeen = new HashMap<>();

  /** The message whose raw stream events are arriving. */
  private String streamingMessage;

  /** Text chunks sent per streamed block ({@code messageId/index}). */
  private final Map<String, Integer> chunksSent = new HashMap<>();

  /** Streamed blocks whose text may still be held back, by {@code messageId/index}. */
  private final Map<String, StreamedBlock> streamedBlocks = new LinkedHashMap<>();

  private final SecretRedactor redactor;

  /** Thinking blocks whose start was sent from the stream. */
  private final Set<String> thinkingStarted = new HashSet<>();

  /** Tool calls waiting for their result, by tool_use id. */
  private final Map<String, PendingTool> pendingTools = new HashMap<>();

  /** Paths the session has read or written: a Write to any other path creates a file. */
  private final Set<String> knownPaths = new HashSet<>();

  private record PendingTool(String name, JsonNode input, Instant started, String idSeed) {}

  /** A block streaming as chunks: its text redacted as it grows, and whether it is thinking. */
  private record StreamedBlock(StreamedTextRedaction text, boolean thinking) {}

  /**
   * @param orgId the org of every event (the caller's)
   * @param sessionId the agentfeed session of every event (the request's path)
   * @param clock when lines arrive
   * @param redactor redacts streamed text across its chunks ({@link StreamedTextRedaction}); every
   *     event is redacted whole afterwards as well, like any other
   */
  public ClaudeCodeTranscript(
      String orgId, String sessionId, Clock clock, SecretRedactor redactor) {
    this.orgId = orgId;
    this.sessionId = sessionId;
    this.clock = clock;
    this.redactor = redactor;
  }

  /** The result of one line: the events it yields, or why it is not a stream-json message. */
  public record LineResult(List<ObjectNode> events, String error) {

    static LineResult of(List<ObjectNode> events) {
      return new LineResult(events, null);
    }

    static LineResult error(String error) {
      return new LineResult(List.of(), error);
    }
  }

  /** The events of one parsed line (any JSON value; non-objects are errors). */
  public LineResult line(JsonNode line) {
    if (line == null || !line.isObject()) {
      return LineResult.error("not a stream-json message: a line must be a JSON object");
    }
    JsonNode type = line.get("type");
    if (type == null || !type.isString()) {
      return LineResult.error("not a stream-json message: 'type' is missing or not a string");
    }
    // Only stream-json messages count: a body of nothing else is not a transcript that ended.
    lines++;
    if (claudeSessionId == null && text(line, "session_id") != null) {
      claudeSessionId = text(line, "session_id");
    }
    Instant now = clock.instant();
    Line context = new Line(line, now);
    switch (type.stringValue()) {
      case "system" -> system(context);
      case "stream_event" -> streamEvent(context);
      case "assistant" -> assistant(context);
      case "user" -> user(context);
      case "result" -> result(context);
      default ->
          context.add(
              "log",
              "",
              log("info", "unknown stream-json line type '" + type.stringValue() + "'", line));
    }
    return LineResult.of(context.events);
  }

  /**
   * The events that close a transcript which ended without a {@code result} line: the session
   * failed. None when it had a result, or no stream-json message at all.
   */
  public List<ObjectNode> end() {
    if (ended || lines == 0) {
      return List.of();
    }
    ended = true;
    List<ObjectNode> events = new ArrayList<>();
    Instant now = clock.instant();
    for (String messageId : List.copyOf(streamedBlocks.keySet())) {
      ObjectNode chunk = finishChunk(messageId);
      if (chunk != null) {
        events.add(envelope("message.chunk", id("end", messageId), now, chunk));
      }
    }
    ObjectNode data = NODES.objectNode();
    data.put("error", "no_result");
    data.put(
        "reason",
        "the Claude Code stream ended after "
            + lines
            + " messages without a result line: the process was killed, crashed or lost its output");
    events.add(envelope("session.failed", id("end", "no-result"), now, data));
    return events;
  }

  // ---- line types

  private void system(Line line) {
    String subtype = text(line.json, "subtype");
    if ("init".equals(subtype)) {
      ObjectNode data = NODES.objectNode();
      putText(data, "model", text(line.json, "model"));
      putText(data, "cwd", text(line.json, "cwd"));
      copy(line.json, "tools", data, "tools");
      copy(line.json, "permissionMode", data, "permissionMode");
      putText(data, "claudeSessionId", text(line.json, "session_id"));
      line.add("session.started", "", data);
    } else {
      line.add("log", "", log("debug", "Claude Code system message '" + subtype + "'", null));
    }
  }

  private void streamEvent(Line line) {
    JsonNode event = line.json.path("event");
    switch (text(event, "type") == null ? "" : text(event, "type")) {
      case "message_start" -> streamingMessage = text(event.path("message"), "id");
      case "content_block_start" -> {
        JsonNode block = event.path("content_block");
        if ("thinking".equals(text(block, "type")) && streamingMessage != null) {
          String thinkingId = streamingMessage + "/" + event.path("index").asInt(0);
          thinkingStarted.add(thinkingId);
          ObjectNode data = NODES.objectNode().put("thinkingId", thinkingId);
          line.add("thinking.started", "", data);
        }
      }
      case "content_block_delta" -> {
        JsonNode delta = event.path("delta");
        String kind = text(delta, "type");
        if (streamingMessage != null
            && ("text_delta".equals(kind) || "thinking_delta".equals(kind))) {
          // Thinking streams as chunks too (role "thinking", messageId = the thinkingId): the
          // contract has no thinking chunk, and dashboards show both the same way.
          boolean thinking = "thinking_delta".equals(kind);
          String messageId = streamingMessage + "/" + event.path("index").asInt(0);
          StreamedBlock block =
              streamedBlocks.computeIfAbsent(
                  messageId,
                  id -> new StreamedBlock(new StreamedTextRedaction(redactor), thinking));
          String text =
              block.text().append(delta.path(thinking ? "thinking" : "text").asString(""));
          if (!text.isEmpty()) {
            line.add("message.chunk", "", chunk(messageId, block, text));
          }
        }
      }
      case "content_block_stop" -> {
        if (streamingMessage != null) {
          ObjectNode chunk = finishChunk(streamingMessage + "/" + event.path("index").asInt(0));
          if (chunk != null) {
            line.add("message.chunk", "", chunk);
          }
        }
      }
      default -> {
        // message_delta, message_stop: the complete message follows.
      }
    }
  }

  /** The data of the next chunk of a streamed block. */
  private ObjectNode chunk(String messageId, StreamedBlock block, String text) {
    int index = chunksSent.merge(messageId, 1, Integer::sum) - 1;
    ObjectNode data = NODES.objectNode();
    data.put("messageId", messageId);
    data.put("chunkIndex", index);
    data.put("text", text);
    data.put("role", block.thinking() ? "thinking" : "assistant");
    return data;
  }

  /** The last chunk of a streamed block (its held-back text), or null when nothing is left. */
  private ObjectNode finishChunk(String messageId) {
    StreamedBlock block = streamedBlocks.remove(messageId);
    if (block == null) {
      return null;
    }
    String text = block.text().finish();
    return text.isEmpty() ? null : chunk(messageId, block, text);
  }

  private void assistant(Line line) {
    JsonNode message = line.json.path("message");
    String messageId = text(message, "id") == null ? "line-" + lines : text(message, "id");
    JsonNode content = message.path("content");
    for (int i = 0; i < content.size(); i++) {
      JsonNode block = content.get(i);
      // Claude Code writes one line per content block, each with the whole message's id; the
      // block's place in the message (its stream index) is the count of blocks seen before it.
      int index = blocksSeen.merge(messageId, 1, Integer::sum) - 1;
      String part = String.valueOf(i);
      String blockId = messageId + "/" + index;
      ObjectNode rest = finishChunk(blockId);
      if (rest != null) {
        // The stream ended without content_block_stop: the held-back text goes out first.
        line.add("message.chunk", part + ":rest", rest);
      }
      switch (text(block, "type") == null ? "" : text(block, "type")) {
        case "text" -> {
          ObjectNode data = NODES.objectNode().put("messageId", blockId).put("role", "assistant");
          Integer chunks = chunksSent.get(blockId);
          if (chunks != null) {
            // The text went out as chunks already; the completion only closes the message.
            data.put("chunkCount", chunks);
          } else {
            data.put("text", block.path("text").asString(""));
          }
          usage(message.path("usage"), null).ifPresent(u -> data.set("usage", u));
          line.add("message.completed", part, data);
        }
        case "thinking", "redacted_thinking" -> {
          if (!thinkingStarted.contains(blockId)) {
            line.add(
                "thinking.started", part + ":start", NODES.objectNode().put("thinkingId", blockId));
          }
          ObjectNode data = NODES.objectNode().put("thinkingId", blockId);
          Integer chunks = chunksSent.get(blockId);
          if (chunks != null) {
            data.put("chunkCount", chunks);
          } else {
            putText(data, "text", text(block, "thinking"));
          }
          line.add("thinking.completed", part, data);
        }
        case "tool_use" -> toolUse(line, block, part);
        default ->
            line.add(
                "log",
                part,
                log("debug", "assistant content block '" + text(block, "type") + "'", null));
      }
    }
  }

  private void toolUse(Line line, JsonNode block, String part) {
    String toolId = text(block, "id");
    String name = text(block, "name");
    JsonNode input = block.path("input");
    if (toolId == null || name == null) {
      line.add("log", part, log("warn", "tool_use block without id or name", null));
      return;
    }
    ObjectNode data = NODES.objectNode().put("toolId", toolId).put("toolName", name);
    if (!input.isMissingNode()) {
      data.set("input", input.deepCopy());
    }
    line.add("tool.started", part, data);
    pendingTools.put(toolId, new PendingTool(name, input, line.at, line.seed(part)));
    if ("TodoWrite".equals(name)) {
      line.add("session.progress", part + ":todos", progress(input));
    }
    if ("Read".equals(name) && text(input, "file_path") != null) {
      knownPaths.add(text(input, "file_path"));
    }
  }

  private void user(Line line) {
    JsonNode content = line.json.path("message").path("content");
    if (content.isString()) {
      line.add("message.completed", "", userMessage(line, content.stringValue()));
      return;
    }
    for (int i = 0; i < content.size(); i++) {
      JsonNode block = content.get(i);
      String part = String.valueOf(i);
      String type = text(block, "type");
      if ("tool_result".equals(type)) {
        toolResult(line, block, part);
      } else if ("text".equals(type)) {
        line.add("message.completed", part, userMessage(line, block.path("text").asString("")));
      } else {
        line.add("log", part, log("debug", "user content block '" + type + "'", null));
      }
    }
  }

  private ObjectNode userMessage(Line line, String text) {
    String uuid = text(line.json, "uuid");
    return NODES
        .objectNode()
        .put("messageId", uuid == null ? "user-line-" + lines : uuid)
        .put("text", text)
        .put("role", "user");
  }

  private void toolResult(Line line, JsonNode block, String part) {
    String toolId = text(block, "tool_use_id");
    if (toolId == null) {
      line.add("log", part, log("warn", "tool_result block without tool_use_id", null));
      return;
    }
    PendingTool tool = pendingTools.remove(toolId);
    String output = resultText(block.path("content"));
    boolean failed = block.path("is_error").asBoolean(false);
    ObjectNode data = NODES.objectNode().put("toolId", toolId);
    data.put("toolName", tool == null ? "unknown" : tool.name());
    if (tool != null) {
      data.put("durationMs", Math.max(0, Duration.between(tool.started(), line.at).toMillis()));
    }
    if (failed) {
      data.put("error", summary(output, "the tool failed without output"));
    } else {
      data.put("resultSummary", summary(output, ""));
      data.put("success", true);
    }
    data.put("output", preview(output));
    line.add(failed ? "tool.failed" : "tool.completed", part, data);
    if (!failed && tool != null) {
      fileEvents(line, toolId, tool);
    }
  }

  /**
   * The file changes of a tool call that succeeded, sent with its result: a failed edit changed
   * nothing. Ids derive from the tool_use line, so they are the same whichever line carries the
   * result.
   */
  private void fileEvents(Line line, String toolId, PendingTool tool) {
    JsonNode input = tool.input();
    switch (tool.name()) {
      case "Edit" -> {
        String path = text(input, "file_path");
        if (path != null) {
          line.addWithSeed(
              "file.edited",
              tool.idSeed() + ":file",
              edit(path, toolId, text(input, "old_string"), text(input, "new_string"), input));
          knownPaths.add(path);
        }
      }
      case "MultiEdit" -> {
        String path = text(input, "file_path");
        JsonNode edits = input.path("edits");
        if (path != null) {
          for (int i = 0; i < edits.size(); i++) {
            JsonNode edit = edits.get(i);
            line.addWithSeed(
                "file.edited",
                tool.idSeed() + ":file:" + i,
                edit(path, toolId, text(edit, "old_string"), text(edit, "new_string"), edit));
          }
          knownPaths.add(path);
        }
      }
      case "Write" -> {
        String path = text(input, "file_path");
        if (path != null) {
          ObjectNode data = NODES.objectNode().put("path", path);
          putText(data, "after", text(input, "content"));
          data.put("toolId", toolId);
          boolean created = knownPaths.add(path);
          line.addWithSeed(created ? "file.created" : "file.edited", tool.idSeed() + ":file", data);
        }
      }
      case "NotebookEdit" -> {
        String path = text(input, "notebook_path");
        if (path != null) {
          ObjectNode data = NODES.objectNode().put("path", path);
          putText(data, "newString", text(input, "new_source"));
          copy(input, "cell_id", data, "cellId");
          copy(input, "edit_mode", data, "editMode");
          data.put("toolId", toolId);
          line.addWithSeed("file.edited", tool.idSeed() + ":file", data);
          knownPaths.add(path);
        }
      }
      default -> {
        // Other tools change no file we can see.
      }
    }
  }

  private static ObjectNode edit(
      String path, String toolId, String oldString, String newString, JsonNode edit) {
    ObjectNode data = NODES.objectNode().put("path", path);
    putText(data, "oldString", oldString);
    putText(data, "newString", newString);
    if (edit.path("replace_all").isBoolean()) {
      data.put("replaceAll", edit.path("replace_all").asBoolean());
    }
    data.put("toolId", toolId);
    return data;
  }

  private void result(Line line) {
    ended = true;
    JsonNode json = line.json;
    boolean failed =
        json.path("is_error").asBoolean(false) || !"success".equals(text(json, "subtype"));
    ObjectNode data = NODES.objectNode();
    if (failed) {
      String subtype = text(json, "subtype");
      data.put("error", subtype == null ? "error" : subtype);
      String reason = text(json, "result");
      data.put(
          "reason",
          reason != null ? reason : "Claude Code ended with " + data.path("error").asString(""));
    } else {
      putText(data, "summary", text(json, "result"));
    }
    if (json.path("duration_ms").canConvertToLong()) {
      data.put("durationMs", json.path("duration_ms").asLong(0));
    }
    if (json.path("num_turns").canConvertToInt()) {
      data.put("turns", json.path("num_turns").asInt(0));
    }
    usage(json.path("usage"), json.path("total_cost_usd")).ifPresent(u -> data.set("usage", u));
    line.add(failed ? "session.failed" : "session.completed", "", data);
  }

  // ---- helpers

  private static Optional<ObjectNode> usage(JsonNode usage, JsonNode cost) {
    ObjectNode data = NODES.objectNode();
    if (usage != null && usage.path("input_tokens").canConvertToLong()) {
      data.put("inputTokens", usage.path("input_tokens").asLong(0));
    }
    if (usage != null && usage.path("output_tokens").canConvertToLong()) {
      data.put("outputTokens", usage.path("output_tokens").asLong(0));
    }
    if (usage != null && usage.path("cache_read_input_tokens").canConvertToLong()) {
      data.put("cacheReadTokens", usage.path("cache_read_input_tokens").asLong(0));
    }
    if (cost != null && cost.isNumber()) {
      data.put("costUsd", cost.asDouble(0));
    }
    return data.isEmpty() ? Optional.empty() : Optional.of(data);
  }

  private static ObjectNode progress(JsonNode input) {
    JsonNode todos = input.path("todos");
    int done = 0;
    String active = null;
    for (JsonNode todo : todos) {
      if ("completed".equals(text(todo, "status"))) {
        done++;
      } else if ("in_progress".equals(text(todo, "status")) && active == null) {
        active =
            text(todo, "activeForm") != null ? text(todo, "activeForm") : text(todo, "content");
      }
    }
    ObjectNode data = NODES.objectNode();
    data.put(
        "message",
        done + " of " + todos.size() + " tasks done" + (active == null ? "" : "; " + active));
    if (!todos.isEmpty()) {
      data.put("percent", Math.round(1000.0 * done / todos.size()) / 10.0);
    }
    data.set("todos", todos.deepCopy());
    return data;
  }

  /** A tool_result's content: a string, or text blocks joined by newlines. */
  private static String resultText(JsonNode content) {
    if (content.isString()) {
      return content.stringValue();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode block : content) {
      if (block.path("text").isString()) {
        if (!text.isEmpty()) {
          text.append('\n');
        }
        text.append(block.path("text").stringValue());
      } else if (block.has("type")) {
        text.append(text.isEmpty() ? "" : "\n").append('[').append(text(block, "type")).append(']');
      }
    }
    return text.toString();
  }

  private static String summary(String output, String ifEmpty) {
    for (String candidate : output.split("\n", 50)) {
      if (!candidate.isBlank()) {
        String line = candidate.strip();
        return line.length() > SUMMARY_CHARS ? line.substring(0, SUMMARY_CHARS) + "…" : line;
      }
    }
    return ifEmpty;
  }

  private static String preview(String output) {
    return output.length() > PREVIEW_CHARS ? output.substring(0, PREVIEW_CHARS) + "…" : output;
  }

  private static ObjectNode log(String level, String message, JsonNode raw) {
    ObjectNode data = NODES.objectNode().put("level", level).put("message", message);
    if (raw != null) {
      String text = raw.toString();
      data.put("raw", text.length() > RAW_CHARS ? text.substring(0, RAW_CHARS) + "…" : text);
    }
    return data;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isString() ? value.stringValue() : null;
  }

  private static void putText(ObjectNode data, String field, String value) {
    if (value != null) {
      data.put(field, value);
    }
  }

  private static void copy(JsonNode from, String field, ObjectNode to, String as) {
    JsonNode value = from.get(field);
    if (value != null && !value.isNull()) {
      to.set(as, value.deepCopy());
    }
  }

  private ObjectNode envelope(String type, String id, Instant ts, ObjectNode data) {
    ObjectNode event = NODES.objectNode();
    event.put("id", id);
    event.put("type", type);
    event.put("orgId", orgId);
    event.put("sessionId", sessionId);
    event.put("agentId", SOURCE);
    event.put("source", SOURCE);
    event.put("ts", ts.toString());
    event.set("data", data);
    return event;
  }

  /** {@code cc-} and 40 hex digits of SHA-256 over the Claude session id and the event's place. */
  private String id(String lineKey, String place) {
    String claude = claudeSessionId == null ? sessionId : claudeSessionId;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((claude + "\n" + lineKey + "\n" + place).getBytes(StandardCharsets.UTF_8));
      return "cc-" + HexFormat.of().formatHex(digest, 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** One line being translated: its JSON, when it arrived, and the events it yields. */
  private final class Line {

    final JsonNode json;
    final Instant at;
    final List<ObjectNode> events = new ArrayList<>();
    private final String key;

    Line(JsonNode json, Instant at) {
      this.json = json;
      this.at = at;
      String uuid = text(json, "uuid");
      this.key = uuid != null ? "uuid:" + uuid : "line:" + lines;
    }

    /** The id seed of an event at {@code place} in this line. */
    String seed(String place) {
      return key + "\n" + place;
    }

    void add(String type, String place, ObjectNode data) {
      addWithSeed(type, seed(place), data);
    }

    void addWithSeed(String type, String seed, ObjectNode data) {
      events.add(envelope(type, id(seed, type), at, data));
    }
  }
}
