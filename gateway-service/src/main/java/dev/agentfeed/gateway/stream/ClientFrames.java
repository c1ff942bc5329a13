package dev.agentfeed.gateway.stream;

import dev.agentfeed.model.Ids;
import java.util.ArrayList;
import java.util.List;
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
    String id = subscriptionId(frame);
    JsonNode orgWideNode = frame.get("orgWide");
    if (orgWideNode != null && !orgWideNode.isBoolean() && !orgWideNode.isNull()) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"orgWide\" must be true or false");
    }
    boolean orgWide = orgWideNode != null && orgWideNode.asBoolean();
    String sessionId = idField(frame, "sessionId", !orgWide);
    if (orgWide && sessionId != null) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "give either \"sessionId\" or \"orgWide\": true, not both");
    }
    String orgId = idField(frame, "orgId", false);
    JsonNode from = frame.get("from");
    if (from != null && !from.isString()) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "\"from\" must be \"beginning\", \"live\" or a cursor");
    }
    return new SubscribeRequest(
        id,
        sessionId,
        orgId,
        orgWide,
        from == null ? SubscribeRequest.LIVE : from.stringValue(),
        types(frame));
  }

  private static List<String> types(JsonNode frame) {
    JsonNode types = frame.get("types");
    if (types == null || types.isNull()) {
      return List.of();
    }
    if (!types.isArray()) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "\"types\" must be an array of type patterns such as \"tool.*\"");
    }
    List<String> result = new ArrayList<>();
    for (JsonNode type : types) {
      if (!type.isString()) {
        throw new ProtocolException(
            ErrorCode.BAD_REQUEST, "\"types\" must hold strings such as \"tool.*\"");
      }
      result.add(type.stringValue());
    }
    // Checked here rather than when the subscription starts, so a bad pattern is a bad_request.
    TypeFilter.of(result);
    return List.copyOf(result);
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
