package dev.agentfeed.gateway.stream;

import java.time.Instant;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Builds the server's frames; the JSON of each is shown in docs/websocket-protocol.md. */
final class Frames {

  private final JsonMapper mapper;

  Frames(JsonMapper mapper) {
    this.mapper = mapper;
  }

  String subscribed(String id, String orgId, String sessionId, String from) {
    ObjectNode frame = frame("subscribed");
    frame.put("id", id);
    frame.put("orgId", orgId);
    frame.put("sessionId", sessionId);
    frame.put("from", from);
    return mapper.writeValueAsString(frame);
  }

  String unsubscribed(String id) {
    ObjectNode frame = frame("unsubscribed");
    frame.put("id", id);
    return mapper.writeValueAsString(frame);
  }

  String pong(String id) {
    ObjectNode frame = frame("pong");
    frame.put("id", id);
    return mapper.writeValueAsString(frame);
  }

  String heartbeat(Instant serverTime) {
    ObjectNode frame = frame("heartbeat");
    frame.put("serverTime", serverTime.toString());
    return mapper.writeValueAsString(frame);
  }

  String error(String id, ErrorCode code, String message) {
    return error(id, code, message, null);
  }

  /** An error; {@code cursor} (may be null) is where to resume after {@code resync_required}. */
  String error(String id, ErrorCode code, String message, String cursor) {
    ObjectNode frame = frame("error");
    frame.put("id", id);
    frame.put("code", code.wireName());
    frame.put("message", message);
    if (cursor != null) {
      frame.put("cursor", cursor);
    }
    return mapper.writeValueAsString(frame);
  }

  /**
   * An event. The envelope JSON is spliced in as it is, not re-encoded per subscriber; the
   * subscription id is escaped by the mapper and the cursor is base64url, so the result is JSON.
   */
  String event(String subscriptionId, String cursor, String eventJson) {
    return "{\"op\":\"event\",\"sub\":"
        + mapper.writeValueAsString(subscriptionId)
        + ",\"cursor\":\""
        + cursor
        + "\",\"event\":"
        + eventJson
        + "}";
  }

  private ObjectNode frame(String op) {
    ObjectNode frame = mapper.createObjectNode();
    frame.put("op", op);
    return frame;
  }
}
