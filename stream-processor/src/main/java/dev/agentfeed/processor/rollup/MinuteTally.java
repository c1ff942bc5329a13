package dev.agentfeed.processor.rollup;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.time.Instant;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The running counts of one org's minute: a task's partial counts (in the partials store, then on
 * the repartition topic) and their sum over all tasks (in the window store). With the sets of
 * sessions and files seen, which the published {@link OrgMinute} only counts, so that partial
 * counts add up without counting a session twice, and the latest record timestamp counted, which a
 * partial count travels with. Mutable, stored as JSON.
 */
@JsonAutoDetect(
    fieldVisibility = Visibility.ANY,
    getterVisibility = Visibility.NONE,
    isGetterVisibility = Visibility.NONE)
final class MinuteTally {

  private long events;
  private TreeSet<String> sessions = new TreeSet<>();
  private long toolCalls;
  private long toolFailures;
  private TreeSet<String> files = new TreeSet<>();
  private long fileChanges;
  private long linesAdded;
  private long linesRemoved;
  private long latestRecordAt = Long.MIN_VALUE;

  /** Counts {@code event}, whose record timestamp is {@code recordAt}. */
  MinuteTally add(EventEnvelope event, long recordAt) {
    latestRecordAt = Math.max(latestRecordAt, recordAt);
    events++;
    sessions.add(event.sessionId());
    JsonNode data = event.data();
    if (event.type() == EventType.TOOL_FAILED) {
      toolCalls++;
      toolFailures++;
    } else if (event.type() == EventType.TOOL_COMPLETED) {
      toolCalls++;
      if (data.path("success").isBoolean() && !data.get("success").booleanValue()) {
        toolFailures++;
      }
    } else if (event.type() == EventType.FILE_CREATED
        || event.type() == EventType.FILE_EDITED
        || event.type() == EventType.FILE_DELETED) {
      fileChanges++;
      // The key is the org, so a session id and a path name a file.
      files.add(event.sessionId() + "/" + data.path("path").asString(""));
      linesAdded += data.path("linesAdded").asLong(0);
      linesRemoved += data.path("linesRemoved").asLong(0);
    }
    return this;
  }

  /** Adds {@code other}'s counts, of the same org and minute. */
  MinuteTally merge(MinuteTally other) {
    latestRecordAt = Math.max(latestRecordAt, other.latestRecordAt);
    events += other.events;
    sessions.addAll(other.sessions);
    toolCalls += other.toolCalls;
    toolFailures += other.toolFailures;
    files.addAll(other.files);
    fileChanges += other.fileChanges;
    linesAdded += other.linesAdded;
    linesRemoved += other.linesRemoved;
    return this;
  }

  /** The latest record timestamp of the events counted. */
  long latestRecordAt() {
    return latestRecordAt;
  }

  OrgMinute view(String orgId, Instant windowStart, Instant windowEnd) {
    return new OrgMinute(
        orgId,
        windowStart,
        windowEnd,
        events,
        sessions.size(),
        toolCalls,
        toolFailures,
        files.size(),
        fileChanges,
        linesAdded,
        linesRemoved);
  }
}
