package dev.agentfeed.ingest.openhands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the events of one OpenHands conversation (its event stream as serialized JSON: actions with
 * {@code action} and {@code args}, observations with {@code observation}, {@code content}, {@code
 * extras} and the {@code cause} naming their action) into agentfeed events, one at a time:
 *
 * <ul>
 *   <li>{@code run}, {@code run_ipython}, {@code read}, {@code write}, {@code edit}, {@code browse}
 *       and other tool actions → {@code tool.started}; their observation → {@code tool.completed},
 *       or {@code tool.failed} for a non-zero exit code or an {@code error} observation; the
 *       command and exit code are kept;
 *   <li>a successful {@code write} or {@code edit} → {@code file.created} or {@code file.edited}
 *       with before/after content (from the observation when it has it, else from the action);
 *   <li>{@code message} → {@code message.completed} (role from {@code source}); {@code think} →
 *       {@code thinking.started} and {@code thinking.completed}; {@code system} → {@code
 *       session.started};
 *   <li>{@code finish} → {@code session.completed}; an {@code agent_state_changed} to {@code error}
 *       or {@code stopped} → {@code session.failed} (to {@code finished}: nothing, the finish said
 *       it); anything else → {@code log}.
 * </ul>
 *
 * <p>Ids are a hash of the session and the OpenHands event's own {@code id} (or its place in the
 * body when it has none), so posting the same events again stores nothing twice. {@code ts} is the
 * event's {@code timestamp} when it has one (OpenHands writes local ISO times without a zone; they
 * are read as UTC), else the arrival time. Not thread-safe: one instance per request.
 */
public final class OpenHandsEvents {

  /** The {@code source} and {@code agentId} of every event made here. */
  public static final String SOURCE = "openhands";

  static final int PREVIEW_CHARS = 4096;
  static final int SUMMARY_CHARS = 200;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String orgId;
  private final String sessionId;
  private final Clock clock;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final Set<String> knownPaths = new HashSet<>();
  private int position;

  private record Pending(String action, JsonNode args, Instant at) {}

  /** The events of one OpenHands event, or why it is not one. */
  public record Result(List<ObjectNode> events, String error) {}

  public OpenHandsEvents(String orgId, String sessionId, Clock clock) {
    this.orgId = orgId;
    this.sessionId = sessionId;
    this.clock = clock;
  }

  /** The agentfeed events of one OpenHands event. */
  public Result event(JsonNode event) {
    position++;
    if (event == null || !event.isObject()) {
      return new Result(List.of(), "not an OpenHands event: it must be a JSON object");
    }
    String action = text(event, "action");
    String observation = text(event, "observation");
    if (action == null && observation == null) {
      return new Result(
          List.of(), "not an OpenHands event: it has neither 'action' nor 'observation'");
    }
    Context context = new Context(event);
    if (action != null) {
      action(context, action);
    } else {
      observation(context, observation);
    }
    return new Result(context.events, null);
  }

  // ---- actions

  private void action(Context c, String action) {
    JsonNode args = c.json.path("args");
    switch (action) {
      case "message" -> {
        String role = "user".equals(text(c.json, "source")) ? "user" : "assistant";
        ObjectNode data = NODES.objectNode().put("messageId", c.key).put("role", role);
        data.put("text", args.path("content").asString(""));
        c.add("message.completed", "", data);
      }
      case "think" -> {
        c.add("thinking.started", "start", NODES.objectNode().put("thinkingId", c.key));
        ObjectNode data = NODES.objectNode().put("thinkingId", c.key);
        data.put("text", args.path("thought").asString(""));
        c.add("thinking.completed", "", data);
      }
      case "system" -> {
        // The system action carries the agent's prompt and tools; the session needs only who runs.
        ObjectNode data = NODES.objectNode();
        putText(data, "model", text(args, "model"));
        putText(data, "agentClass", text(args, "agent_class"));
        putText(data, "openhandsVersion", text(args, "openhands_version"));
        c.add("session.started", "", data);
      }
      case "finish" -> {
        ObjectNode data = NODES.objectNode();
        String summary = text(args, "final_thought");
        if (summary == null) {
          summary = text(args.path("outputs"), "content");
        }
        putText(data, "summary", summary);
        if (args.has("task_completed")) {
          data.put("taskCompleted", args.path("task_completed").asString(""));
        }
        c.add("session.completed", "", data);
      }
      case "recall", "agent_state_changed", "null", "change_agent_state" ->
          c.add("log", "", log("debug", "OpenHands action '" + action + "'"));
      default -> toolStarted(c, action, args);
    }
  }

  private void toolStarted(Context c, String action, JsonNode args) {
    ObjectNode data = NODES.objectNode().put("toolId", toolId(c.id)).put("toolName", action);
    ObjectNode input = NODES.objectNode();
    for (String field : List.of("command", "code", "path", "url", "start", "end", "view_range")) {
      if (args.has(field) && !args.path(field).isNull()) {
        input.set(field, args.path(field).deepCopy());
      }
    }
    if ("edit".equals(action) && args.has("command")) {
      input.put("editCommand", args.path("command").asString(""));
      input.remove("command");
    }
    data.set("input", input);
    c.add("tool.started", "", data);
    if (c.id != null) {
      pending.put(c.id, new Pending(action, args, c.at));
    }
    if ("read".equals(action) && text(args, "path") != null) {
      knownPaths.add(text(args, "path"));
    }
  }

  // ---- observations

  private void observation(Context c, String observation) {
    JsonNode extras = c.json.path("extras");
    Long cause = c.json.path("cause").canConvertToLong() ? c.json.path("cause").asLong() : null;
    Pending action = cause == null ? null : pending.remove(cause);
    if ("agent_state_changed".equals(observation)) {
      agentState(c, text(extras, "agent_state"), extras);
      return;
    }
    if (action == null) {
      if ("error".equals(observation)) {
        c.add("log", "", log("error", summary(c.json.path("content").asString(""), "error")));
      } else {
        c.add("log", "", log("debug", "OpenHands observation '" + observation + "'"));
      }
      return;
    }
    toolFinished(c, cause, action, observation, extras);
  }

  /** An error or a stop ends the session; a finish was told by its action already. */
  private void agentState(Context c, String state, JsonNode extras) {
    if ("error".equals(state) || "stopped".equals(state)) {
      ObjectNode data = NODES.objectNode().put("error", "agent_" + state);
      String reason = extras.path("reason").asString("");
      data.put(
          "reason",
          reason.isBlank()
              ? "the OpenHands agent "
                  + ("error".equals(state) ? "stopped on an error" : "was stopped")
              : reason);
      c.add("session.failed", "", data);
    } else if (!"finished".equals(state)) {
      c.add("log", "", log("info", "OpenHands agent state: " + state));
    }
  }

  private void toolFinished(
      Context c, long cause, Pending action, String observation, JsonNode extras) {
    String content = c.json.path("content").asString("");
    Integer exitCode = exitCode(extras);
    boolean failed = "error".equals(observation) || (exitCode != null && exitCode != 0);
    ObjectNode data =
        NODES.objectNode().put("toolId", toolId(cause)).put("toolName", action.action());
    data.put("durationMs", Math.max(0, Duration.between(action.at(), c.at).toMillis()));
    String command =
        text(extras, "command") != null ? text(extras, "command") : text(action.args(), "command");
    if ("run".equals(action.action()) && command != null) {
      data.put("command", command);
    }
    if (exitCode != null) {
      data.put("exitCode", exitCode);
    }
    if (failed) {
      String what = summary(content, "the action failed without output");
      data.put(
          "error",
          exitCode != null && exitCode != 0 ? "exit code " + exitCode + ": " + what : what);
    } else {
      data.put("resultSummary", summary(content, ""));
      data.put("success", true);
    }
    data.put(
        "output",
        content.length() > PREVIEW_CHARS ? content.substring(0, PREVIEW_CHARS) + "…" : content);
    c.add(failed ? "tool.failed" : "tool.completed", "", data);
    if (!failed) {
      fileEvent(c, cause, action, extras);
    }
  }

  private void fileEvent(Context c, long cause, Pending action, JsonNode extras) {
    JsonNode args = action.args();
    String path = text(extras, "path") != null ? text(extras, "path") : text(args, "path");
    if (path == null || !("write".equals(action.action()) || "edit".equals(action.action()))) {
      return;
    }
    String editCommand = text(args, "command");
    if ("view".equals(editCommand)) {
      knownPaths.add(path);
      return;
    }
    ObjectNode data = NODES.objectNode().put("path", path).put("toolId", toolId(cause));
    boolean created;
    if (extras.has("new_content") && !extras.path("new_content").isNull()) {
      // The observation knows the whole file before and after: the exact change.
      created =
          extras.has("prev_exist")
              ? !extras.path("prev_exist").asBoolean(true)
              : !knownPaths.contains(path);
      if (!created && extras.path("old_content").isString()) {
        data.put("before", extras.path("old_content").stringValue());
      }
      data.put("after", extras.path("new_content").asString(""));
    } else if ("str_replace".equals(editCommand) || args.has("old_str")) {
      created = false;
      putText(data, "oldString", text(args, "old_str"));
      putText(data, "newString", text(args, "new_str"));
    } else {
      String content =
          text(args, "file_text") != null ? text(args, "file_text") : text(args, "content");
      if (content == null) {
        return;
      }
      created = "create".equals(editCommand) || !knownPaths.contains(path);
      data.put("after", content);
    }
    knownPaths.add(path);
    c.add(created ? "file.created" : "file.edited", "file", data);
  }

  // ---- helpers

  /**
   * The exit code of a command's observation: {@code extras.metadata.exit_code} or {@code
   * extras.exit_code}.
   */
  private static Integer exitCode(JsonNode extras) {
    JsonNode nested = extras.path("metadata").path("exit_code");
    if (nested.canConvertToInt()) {
      return nested.asInt();
    }
    JsonNode flat = extras.path("exit_code");
    return flat.canConvertToInt() ? flat.asInt() : null;
  }

  private static String toolId(Long id) {
    return "oh-" + (id == null ? "unknown" : id);
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

  private static ObjectNode log(String level, String message) {
    return NODES.objectNode().put("level", level).put("message", message);
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

  /** An OpenHands timestamp (ISO, usually without a zone: UTC then), or null. */
  private static Instant timestamp(JsonNode event) {
    String value = text(event, "timestamp");
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeException e) {
      try {
        return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
      } catch (DateTimeException again) {
        return null;
      }
    }
  }

  /** One OpenHands event being translated. */
  private final class Context {

    final JsonNode json;
    final Long id;
    final String key;
    final Instant at;
    final List<ObjectNode> events = new ArrayList<>();

    Context(JsonNode json) {
      this.json = json;
      this.id = json.path("id").canConvertToLong() ? json.path("id").asLong() : null;
      this.key = id != null ? "oh-" + id : "oh-at-" + position;
      Instant ts = timestamp(json);
      this.at = ts != null ? ts : clock.instant();
    }

    void add(String type, String place, ObjectNode data) {
      ObjectNode event = NODES.objectNode();
      event.put("id", id(type, place));
      event.put("type", type);
      event.put("orgId", orgId);
      event.put("sessionId", sessionId);
      event.put("agentId", SOURCE);
      event.put("source", SOURCE);
      event.put("ts", at.toString());
      event.set("data", data);
      events.add(event);
    }

    /** {@code oh-} and 40 hex digits of SHA-256 over the session, the event and the place. */
    private String id(String type, String place) {
      try {
        byte[] digest =
            MessageDigest.getInstance("SHA-256")
                .digest(
                    (sessionId + "\n" + key + "\n" + type + "\n" + place)
                        .getBytes(StandardCharsets.UTF_8));
        return "oh-" + HexFormat.of().formatHex(digest, 0, 20);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
    }
  }
}
