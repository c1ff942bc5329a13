package dev.agentfeed.model;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What stands in a {@code feed.live} event for a tier-3 field that was too large to send live: the
 * field's value becomes {@code {"detail":{"eventId":…,"seq":…,"bytes":…}}}. The full value stays in
 * the event's {@code events.enriched} record; the gateway serves it at {@code GET
 * /v1/sessions/{sessionId}/events/{eventId}/detail}.
 *
 * @param eventId the event the field belongs to
 * @param seq the event's seq in its session
 * @param bytes the size of the field's JSON value that was cut
 */
public record DetailRef(String eventId, long seq, long bytes) {

  public static final String FIELD = "detail";

  /** The value that replaces the cut field. */
  public ObjectNode toNode() {
    ObjectNode ref = JsonNodeFactory.instance.objectNode();
    ref.putObject(FIELD).put("eventId", eventId).put("seq", seq).put("bytes", bytes);
    return ref;
  }

  /** Whether a field's value is a reference (an object whose only field is {@code detail}). */
  public static boolean isRef(JsonNode value) {
    return value != null
        && value.isObject()
        && value.size() == 1
        && value.path(FIELD).isObject()
        && value.path(FIELD).path("eventId").isString();
  }
}
