package dev.agentfeed.gateway.stream;

import dev.agentfeed.model.Ids;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads client frames and says exactly what is wrong with one that cannot be served. */
final class ClientFrames {

  private static final int MAX_PING_ID_LENGTH = 128;

  private final JsonMapper mapper;

  ClientFrames(JsonMapper mapper) {
    this.mapper = mapper;
  }

  /** The frame as an object with a string {@code op}. */
  JsonNode parse(String text) {
    JsonNode frame;
    try {
      frame = mapper.readTree(text);
    } catch (JacksonException e) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "the frame is not JSON: " + e.getOriginalMessage());
    }
    if (frame == null || !frame.isObject()) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "a frame must be a JSON object");
    }
    JsonNode op = frame.get("op");
    if (op == null || !op.isString()) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "a frame needs \"op\": subscribe, unsubscribe or ping");
    }
    return frame;
  }

  /** The frame's id as the client sent it, to echo in an error; null when it has none. */
  static String idOf(JsonNode frame) {
    JsonNode id = frame == null ? null : frame.get("id");
    return id != null && id.isString() ? id.stringValue() : null;
  }

  SubscribeRequest subscribe(JsonNode frame) {
    if (frame.has("orgWide")) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "org-wide subscriptions (\"orgWide\") are not supported yet");
    }
    if (frame.has("types")) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "type filters (\"types\") are not supported yet");
    }
    String id = subscriptionId(frame);
    String sessionId = idField(frame, "sessionId", true);
    String orgId = idField(frame, "orgId", false);
    JsonNode from = frame.get("from");
    if (from != null && !from.isString()) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "\"from\" must be \"beginning\", \"live\" or a cursor");
    }
    return new SubscribeRequest(
        id, sessionId, orgId, from == null ? SubscribeRequest.LIVE : from.stringValue());
  }

  String unsubscribe(JsonNode frame) {
    return subscriptionId(frame);
  }

  String pingId(JsonNode frame) {
    JsonNode id = frame.get("id");
    if (id == null || id.isNull()) {
      return null;
    }
    if (!id.isString() || id.stringValue().length() > MAX_PING_ID_LENGTH) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST,
          "\"id\" of a ping must be a string of at most " + MAX_PING_ID_LENGTH + " characters");
    }
    return id.stringValue();
  }

  private static String subscriptionId(JsonNode frame) {
    JsonNode id = frame.get("id");
    if (id == null || !id.isString() || !Ids.isValid(id.stringValue())) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "\"id\" is required and must match " + Ids.PATTERN_TEXT);
    }
    return id.stringValue();
  }

  private static String idField(JsonNode frame, String name, boolean required) {
    JsonNode value = frame.get(name);
    if (value == null || value.isNull()) {
      if (required) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"" + name + "\" is required");
      }
      return null;
    }
    if (!value.isString() || !Ids.isValid(value.stringValue())) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "\"" + name + "\" must match " + Ids.PATTERN_TEXT);
    }
    return value.stringValue();
  }
}
