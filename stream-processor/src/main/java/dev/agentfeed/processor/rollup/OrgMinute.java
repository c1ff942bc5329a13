package dev.agentfeed.processor.rollup;

import java.time.Instant;

/**
 * One organisation's activity in one minute, the value of {@code stats.org-minute} (key orgId). The
 * window is in record time (when ingest received the events), start inclusive, end exclusive.
 *
 * @param sessionsActive distinct sessions with at least one event in the minute
 * @param toolCalls tool calls that ended ({@code tool.completed} or {@code tool.failed})
 * @param toolFailures {@code tool.failed} and unsuccessful {@code tool.completed}
 * @param filesEdited distinct files (per session) with a {@code file.*} event
 * @param fileChanges {@code file.*} events
 * @param linesAdded lines added over those events, from their diffs
 * @param linesRemoved lines removed over those events, from their diffs
 */
public record OrgMinute(
    String orgId,
    Instant windowStart,
    Instant windowEnd,
    long events,
    long sessionsActive,
    long toolCalls,
    long toolFailures,
    long filesEdited,
    long fileChanges,
    long linesAdded,
    long linesRemoved) {}
