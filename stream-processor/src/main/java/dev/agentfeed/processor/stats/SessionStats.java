package dev.agentfeed.processor.stats;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The latest statistics of one session, the value of {@code sessions.stats} (key {@code
 * orgId/sessionId}). Maps are sorted by key; absent parts (no usage reported, no error yet) are
 * left out of the JSON.
 *
 * @param status {@code running}, {@code completed}, {@code failed}, or {@code idle} (running, but
 *     no event for {@code agentfeed.processor.idle-after}; the next event makes it running again)
 * @param firstTs the {@code ts} of the session's first event, as the agent stamped it
 * @param lastTs the latest {@code ts} of its events
 * @param firstReceivedAt when ingest received the session's first event
 * @param firstRecordAt the record timestamp of the session's first event in {@code events.enriched}
 *     and {@code feed.live}: with {@code offsetsForTimes} on the session's partition it finds where
 *     the session's history starts
 * @param firstSeq the seq of the first event counted: 1, unless the stats were forgotten after the
 *     retention and a late event started them again, in which case they count from that event
 * @param lastSeq the seq of the latest event counted
 * @param events events counted, all types
 * @param eventsByType events counted per wire type name
 * @param tools per tool name: calls started, calls ended (completed or failed), failures and the
 *     duration percentiles of the last {@value SessionTally#DURATIONS_KEPT} calls (the maximum over
 *     all)
 * @param files per path: changes and lines added and removed; at most {@value
 *     SessionTally#FILES_LISTED} paths, the rest counted in {@code filesNotListed}
 * @param messages {@code message.completed} events
 * @param messageChunks {@code message.chunk} events
 * @param phase the current workflow phase
 * @param phases the latest {@value SessionTally#PHASES_KEPT} phase changes, oldest first
 * @param usage tokens and cost: the agent's own session total when a {@code session.*} event
 *     carried one, else the sum over {@code message.completed} events
 * @param lastError the latest failure (tool or session)
 */
public record SessionStats(
    String orgId,
    String sessionId,
    String agentId,
    String status,
    Instant firstTs,
    Instant lastTs,
    Instant firstReceivedAt,
    Instant firstRecordAt,
    long firstSeq,
    long lastSeq,
    long events,
    Map<String, Long> eventsByType,
    Map<String, ToolStats> tools,
    Map<String, FileStats> files,
    long filesNotListed,
    long messages,
    long messageChunks,
    String phase,
    List<PhaseChange> phases,
    UsageTotals usage,
    LastError lastError) {

  /** One tool's calls; durations in milliseconds, null until a call reported one. */
  public record ToolStats(
      long started,
      long calls,
      long failures,
      Long durationP50Ms,
      Long durationP95Ms,
      Long durationMaxMs) {}

  /** One file's changes; {@code deleted} when the latest change deleted it. */
  public record FileStats(long changes, long linesAdded, long linesRemoved, boolean deleted) {}

  /** A workflow phase the session entered, when and at which seq. */
  public record PhaseChange(String phase, Instant at, long seq) {}

  /** Tokens and cost as the agent reports them. */
  public record UsageTotals(
      long inputTokens, long outputTokens, long cacheReadTokens, double costUsd) {}

  /**
   * The latest failure: its event type, what went wrong, the tool if any, when and at which seq.
   */
  public record LastError(String type, String message, String toolName, Instant at, long seq) {}
}
