package dev.agentfeed.processor.rollup;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.time.Instant;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The running counts of one org's minute, as kept in the window store: with the sets of sessions
 * and files seen, which the published {@link OrgMinute} only counts. Mutable, stored as JSON.
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

  MinuteTally add(EventEnvelope event) {
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
