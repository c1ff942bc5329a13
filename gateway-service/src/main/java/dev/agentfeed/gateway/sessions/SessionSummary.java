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
    long events) {

  /** A session counts as active until it completed or failed. */
  public boolean active() {
    return !"completed".equals(status) && !"failed".equals(status);
  }

  /**
   * Reads the fields this gateway needs from a stats document; the document is read as JSON, not as
   * the processor's type, so a field the processor adds never breaks the gateway.
   */
  static SessionSummary of(JsonNode stats) {
    return new SessionSummary(
        text(stats, "orgId"),
        text(stats, "sessionId"),
        text(stats, "agentId"),
        text(stats, "status"),
        instant(stats, "firstTs"),
        instant(stats, "lastTs"),
        instant(stats, "firstRecordAt"),
        stats.path("lastSeq").asLong(0),
        stats.path("events").asLong(0));
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
