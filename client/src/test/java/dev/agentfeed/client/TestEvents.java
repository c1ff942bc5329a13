package dev.agentfeed.client;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Valid events for the tests, each with its own stable id. */
final class TestEvents {

  static final String ORG = "acme";

  private TestEvents() {}

  static EventEnvelope log(String session, int n) {
    ObjectNode data =
        JsonNodeFactory.instance.objectNode().put("level", "info").put("message", "line " + n);
    return new EventEnvelope(
        EventIds.derived("test", session, String.valueOf(n)),
        EventType.LOG,
        ORG,
        session,
        "agent-1",
        "client-test",
        Instant.parse("2026-01-30T12:00:00Z").plusMillis(n),
        data,
        null,
        null,
        null);
  }

  static List<EventEnvelope> logs(String session, int count) {
    return IntStream.range(0, count).mapToObj(n -> log(session, n)).toList();
  }

  static List<String> ids(List<EventEnvelope> events) {
    return events.stream().map(EventEnvelope::id).toList();
  }
}
