package dev.agentfeed.processor.stats;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.processor.stats.SessionStats.FileStats;
import dev.agentfeed.processor.stats.SessionStats.LastError;
import dev.agentfeed.processor.stats.SessionStats.PhaseChange;
import dev.agentfeed.processor.stats.SessionStats.ToolStats;
import dev.agentfeed.processor.stats.SessionStats.UsageTotals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * What the processor keeps per session to produce {@link SessionStats}: the counts plus the recent
 * tool durations the percentiles need, which the published stats leave out. Mutable, and stored as
 * JSON in the stats store (fields, not getters).
 */
@JsonAutoDetect(
    fieldVisibility = Visibility.ANY,
    getterVisibility = Visibility.NONE,
    isGetterVisibility = Visibility.NONE)
final class SessionTally {

  /** Durations kept per tool for the percentiles: bounded, the oldest go first. */
  static final int DURATIONS_KEPT = 1000;

  /** Paths listed per session; changes to more paths are only counted. */
  static final int FILES_LISTED = 1000;

  /** Phase changes kept per session, the latest. */
  static final int PHASES_KEPT = 100;

  static final String RUNNING = "running";
  static final String IDLE = "idle";

  private String orgId;
  private String sessionId;
  private String agentId;
  private String status;
  private Instant firstTs;
  private Instant lastTs;
  private Instant firstReceivedAt;
  private Instant firstRecordAt;
  private long firstSeq;
  private long lastSeq;
  private long events;
  private TreeMap<String, Long> eventsByType = new TreeMap<>();
  private TreeMap<String, ToolTally> tools = new TreeMap<>();
  private TreeMap<String, FileStats> files = new TreeMap<>();
  private long filesNotListed;
  private long messages;
  private long messageChunks;
  private String phase;
  private List<PhaseChange> phases = new ArrayList<>();
  private UsageTotals messageUsage;
  private UsageTotals sessionUsage;
  private LastError lastError;

  // Bookkeeping, not published: the latest record timestamp counted (published records carry it),
  // the wall-clock time of the latest event (idle, retention), and whether the stats changed since
  // they were last written to sessions.stats (kept here so that a restart still writes them).
  private long lastRecordAtMs;
  private long lastActivityMs;
  private boolean unpublished;

  /** One tool's counts and its recent durations. */
  @JsonAutoDetect(
      fieldVisibility = Visibility.ANY,
      getterVisibility = Visibility.NONE,
      isGetterVisibility = Visibility.NONE)
  static final class ToolTally {
    private long started;
    private long calls;
    private long failures;
    private Long maxMs;
    private List<Long> recentMs = new ArrayList<>();

    ToolStats view() {
      if (recentMs.isEmpty()) {
        return new ToolStats(started, calls, failures, null, null, maxMs);
      }
      List<Long> sorted = new ArrayList<>(recentMs);
      sorted.sort(null);
      return new ToolStats(
          started, calls, failures, percentile(sorted, 50), percentile(sorted, 95), maxMs);
    }

    private void ended(boolean failed, JsonNode durationMs) {
      calls++;
      if (failed) {
        failures++;
      }
      if (durationMs.canConvertToLong()) {
        long ms = durationMs.asLong();
        maxMs = maxMs == null ? ms : Math.max(maxMs, ms);
        if (recentMs.size() == DURATIONS_KEPT) {
          recentMs.remove(0);
        }
        recentMs.add(ms);
      }
    }

    /** Nearest rank: the smallest value at least {@code p} percent of the values do not exceed. */
    private static long percentile(List<Long> sorted, int p) {
      int rank = (int) Math.ceil(p / 100.0 * sorted.size());
      return sorted.get(Math.max(0, rank - 1));
    }
  }

  /**
   * Counts {@code event} (with its record timestamp) into the session's statistics at wall-clock
   * time {@code nowMs}. An idle session is running again.
   */
  void add(EventEnvelope event, long recordTimestamp, long nowMs) {
    if (events == 0) {
      orgId = event.orgId();
      sessionId = event.sessionId();
      firstTs = event.ts();
      firstReceivedAt = event.receivedAt();
      firstRecordAt = Instant.ofEpochMilli(recordTimestamp);
      firstSeq = event.seq() == null ? 0 : event.seq();
    }
    events++;
    lastRecordAtMs = Math.max(lastRecordAtMs, recordTimestamp);
    lastActivityMs = nowMs;
    unpublished = true;
    if (IDLE.equals(status)) {
      status = RUNNING;
    }
    if (event.agentId() != null) {
      agentId = event.agentId();
    }
    lastTs = lastTs == null || event.ts().isAfter(lastTs) ? event.ts() : lastTs;
    lastSeq = event.seq() == null ? lastSeq : event.seq();
    eventsByType.merge(event.type().wireName(), 1L, Long::sum);
    if (status == null) {
      status = RUNNING;
    }
    JsonNode data = event.data();
    switch (event.type()) {
      case SESSION_STARTED -> status = RUNNING;
      case SESSION_COMPLETED -> {
        status = "completed";
        sessionUsage = usage(data.path("usage"), sessionUsage);
      }
      case SESSION_FAILED -> {
        status = "failed";
        sessionUsage = usage(data.path("usage"), sessionUsage);
        failure(event, data.path("error").asString(null), null);
      }
      case SESSION_PROGRESS -> sessionUsage = usage(data.path("usage"), sessionUsage);
      case TOOL_STARTED -> tool(data).started++;
      case TOOL_COMPLETED -> toolCompleted(event, data);
      case TOOL_FAILED -> {
        tool(data).ended(true, data.path("durationMs"));
        failure(event, data.path("error").asString(null), toolName(data));
      }
      case FILE_CREATED, FILE_EDITED, FILE_DELETED -> file(event, data);
      case MESSAGE_CHUNK -> messageChunks++;
      case MESSAGE_COMPLETED -> {
        messages++;
        messageUsage = sum(messageUsage, usage(data.path("usage"), null));
      }
      case WORKFLOW_PHASE_CHANGED -> phase(event, data);
      default -> {
        // Counted by type only.
      }
    }
  }

  /** Reports a running session idle; true when that changed its status. */
  boolean idle() {
    if (!RUNNING.equals(status)) {
      return false;
    }
    status = IDLE;
    unpublished = true;
    return true;
  }

  /** Whether the session is over or idle, so that its stats may be forgotten after a while. */
  boolean finishedOrIdle() {
    return !RUNNING.equals(status);
  }

  String status() {
    return status;
  }

  long lastActivityMs() {
    return lastActivityMs;
  }

  long lastRecordAtMs() {
    return lastRecordAtMs;
  }

  boolean unpublished() {
    return unpublished;
  }

  void published() {
    unpublished = false;
  }

  SessionStats view() {
    Map<String, ToolStats> toolStats = new TreeMap<>();
    tools.forEach((name, tally) -> toolStats.put(name, tally.view()));
    return new SessionStats(
        orgId,
        sessionId,
        agentId,
        status,
        firstTs,
        lastTs,
        firstReceivedAt,
        firstRecordAt,
        firstSeq,
        lastSeq,
        events,
        new TreeMap<>(eventsByType),
        toolStats,
        new TreeMap<>(files),
        filesNotListed,
        messages,
        messageChunks,
        phase,
        List.copyOf(phases),
        sessionUsage != null ? sessionUsage : messageUsage,
        lastError);
  }

  private void toolCompleted(EventEnvelope event, JsonNode data) {
    boolean failed = data.path("success").isBoolean() && !data.get("success").booleanValue();
    tool(data).ended(failed, data.path("durationMs"));
    if (failed) {
      failure(event, data.path("resultSummary").asString("unsuccessful"), toolName(data));
    }
  }

  private ToolTally tool(JsonNode data) {
    return tools.computeIfAbsent(toolName(data), name -> new ToolTally());
  }

  private void file(EventEnvelope event, JsonNode data) {
    String path = data.path("path").asString("");
    FileStats previous = files.get(path);
    if (previous == null && files.size() >= FILES_LISTED) {
      filesNotListed++;
      return;
    }
    FileStats before = previous == null ? new FileStats(0, 0, 0, false) : previous;
    files.put(
        path,
        new FileStats(
            before.changes() + 1,
            before.linesAdded() + data.path("linesAdded").asLong(0),
            before.linesRemoved() + data.path("linesRemoved").asLong(0),
            event.type() == EventType.FILE_DELETED));
  }

  private void phase(EventEnvelope event, JsonNode data) {
    phase = data.path("phase").asString(null);
    if (phases.size() == PHASES_KEPT) {
      phases.remove(0);
    }
    phases.add(new PhaseChange(phase, event.ts(), lastSeq));
  }

  private void failure(EventEnvelope event, String message, String toolName) {
    lastError = new LastError(event.type().wireName(), message, toolName, event.ts(), lastSeq);
  }

  private static String toolName(JsonNode data) {
    return data.path("toolName").asString("unknown");
  }

  /** The usage {@code node} reports, or {@code otherwise} when it reports none. */
  private static UsageTotals usage(JsonNode node, UsageTotals otherwise) {
    if (!node.isObject()) {
      return otherwise;
    }
    return new UsageTotals(
        node.path("inputTokens").asLong(0),
        node.path("outputTokens").asLong(0),
        node.path("cacheReadTokens").asLong(0),
        node.path("costUsd").asDouble(0));
  }

  private static UsageTotals sum(UsageTotals a, UsageTotals b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    return new UsageTotals(
        a.inputTokens() + b.inputTokens(),
        a.outputTokens() + b.outputTokens(),
        a.cacheReadTokens() + b.cacheReadTokens(),
        a.costUsd() + b.costUsd());
  }
}
