package dev.agentfeed.gateway.sessions;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * What the session list shows of one session, taken from its {@code sessions.stats} document.
 *
 * @param status {@code running}, {@code idle}, {@code completed} or {@code failed}
 * @param firstRecordAt the record timestamp of the session's first record in {@code feed.live} and
 *     {@code events.enriched}, where its history starts
 * @param toolCalls tool calls that ended, summed over the document's {@code tools}
 * @param toolFailures of which failed, summed over {@code tools}
 * @param filesChanged paths changed: the listed {@code files} plus {@code filesNotListed}
 * @param linesAdded lines added, summed over the listed {@code files}
 * @param linesRemoved lines removed, summed over the listed {@code files}
 * @param costUsd {@code usage.costUsd}, absent when the session reported no cost
 * @param phase the current workflow phase, absent before the first one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SessionSummary(
    String orgId,
    String sessionId,
    String agentId,
    String status,
    Instant firstTs,
    Instant lastTs,
    Instant firstRecordAt,
    long lastSeq,
    long events,
    long toolCalls,
    long toolFailures,
    long filesChanged,
    long linesAdded,
    long linesRemoved,
    Double costUsd,
    String phase) {

  /** A session counts as active until it completed or failed. */
  public boolean active() {
    return !"completed".equals(status) && !"failed".equals(status);
  }

  /**
   * Reads the fields this gateway needs from a stats document; the document is read as JSON, not as
   * the processor's type, so a field the processor adds never breaks the gateway. The counters are
   * computed here, once per document, so that listing costs nothing per request.
   */
  static SessionSummary of(JsonNode stats) {
    long toolCalls = 0;
    long toolFailures = 0;
    for (JsonNode tool : stats.path("tools")) {
      toolCalls += tool.path("calls").asLong(0);
      toolFailures += tool.path("failures").asLong(0);
    }
    JsonNode files = stats.path("files");
    long linesAdded = 0;
    long linesRemoved = 0;
    for (JsonNode file : files) {
      linesAdded += file.path("linesAdded").asLong(0);
      linesRemoved += file.path("linesRemoved").asLong(0);
    }
    JsonNode cost = stats.path("usage").path("costUsd");
    return new SessionSummary(
        text(stats, "orgId"),
        text(stats, "sessionId"),
        text(stats, "agentId"),
        text(stats, "status"),
        instant(stats, "firstTs"),
        instant(stats, "lastTs"),
        instant(stats, "firstRecordAt"),
        stats.path("lastSeq").asLong(0),
        stats.path("events").asLong(0),
        toolCalls,
        toolFailures,
        (files.isObject() ? files.size() : 0) + stats.path("filesNotListed").asLong(0),
        linesAdded,
        linesRemoved,
        cost.isNumber() ? cost.asDouble() : null,
        text(stats, "phase"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isString() ? value.stringValue() : null;
  }

  private static Instant instant(JsonNode node, String field) {
    String text = text(node, field);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
