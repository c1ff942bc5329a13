package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.feed.FeedRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds the server's frames; the JSON of each is shown in docs/websocket-protocol.md.
 *
 * <p>Event and batch frames are built once per record for all the subscribers that get the same
 * frame: the subscribers of one session are served one after the other for each record, with the
 * same cursor, so when their subscription ids are the same too (dashboards name their subscriptions
 * alike) the last frame built is handed out again; {@link #utf8} then encodes such a shared frame
 * once for all the connections it goes to. With ten dashboards on a session that is a tenth of the
 * per-frame building, encoding and garbage.
 */
final class Frames {

  static final String EVENT = "event";
  static final String BATCH = "batch";
  static final String HEARTBEAT = "heartbeat";
  static final String ERROR = "error";

  // Recently encoded frames by identity hash; a power of two.
  private static final int ENCODED_SLOTS = 256;

  private final JsonMapper mapper;
  // The last event and batch frames built, with what they were built from. Immutable, so a thread
  // that reads a stale one only misses.
  private volatile EventMemo lastEvent;
  private volatile BatchMemo lastBatch;
  // Racy on purpose: an entry is immutable, and a slot read stale or overwritten is a miss.
  private final Encoded[] encoded = new Encoded[ENCODED_SLOTS];

  Frames(JsonMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * The frame's UTF-8 bytes, encoded once for a frame that {@link #event} or {@link #batch} handed
   * to several subscribers (the same instance). The caller must not change the array.
   */
  byte[] utf8(String frame) {
    int slot = System.identityHashCode(frame) & (ENCODED_SLOTS - 1);
    Encoded entry = encoded[slot];
    if (entry != null && entry.frame() == frame) {
      return entry.bytes();
    }
    byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
    encoded[slot] = new Encoded(frame, bytes);
    return bytes;
  }

  String subscribed(SubscribeRequest request, String orgId) {
    ObjectNode frame = frame("subscribed");
    frame.put("id", request.id());
    frame.put("orgId", orgId);
    if (request.orgWide()) {
      frame.put("orgWide", true);
    } else {
      frame.put("sessionId", request.sessionId());
    }
    frame.put("from", request.from());
    if (!request.types().isEmpty()) {
      request.types().forEach(frame.putArray("types")::add);
    }
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

  /** The subscription id as a JSON string, to hand to {@link #event} and {@link #batch}. */
  String quote(String subscriptionId) {
    return mapper.writeValueAsString(subscriptionId);
  }

  /**
   * An event. The envelope JSON is spliced in as it is, not re-encoded per subscriber; the
   * subscription id comes already escaped ({@link #quote}, once per subscription) and the cursor is
   * base64url, so the result is JSON.
   */
  String event(String quotedSubscriptionId, String cursor, String eventJson) {
    EventMemo last = lastEvent;
    if (last != null
        && last.eventJson() == eventJson
        && last.cursor().equals(cursor)
        && last.quotedId().equals(quotedSubscriptionId)) {
      return last.frame();
    }
    String frame =
        "{\"op\":\"event\",\"sub\":"
            + quotedSubscriptionId
            + ",\"cursor\":\""
            + cursor
            + "\",\"event\":"
            + eventJson
            + "}";
    lastEvent = new EventMemo(quotedSubscriptionId, cursor, eventJson, frame);
    return frame;
  }

  /** A batch of one record's tier-2 events (those the filter lets through), spliced in as-is. */
  String batch(String quotedSubscriptionId, String cursor, List<FeedRecord.Item> events) {
    BatchMemo last = lastBatch;
    if (last != null
        && last.events() == events
        && last.cursor().equals(cursor)
        && last.quotedId().equals(quotedSubscriptionId)) {
      return last.frame();
    }
    String built = buildBatch(quotedSubscriptionId, cursor, events);
    lastBatch = new BatchMemo(quotedSubscriptionId, cursor, events, built);
    return built;
  }

  private static String buildBatch(
      String quotedSubscriptionId, String cursor, List<FeedRecord.Item> events) {
    StringBuilder frame =
        new StringBuilder(64 + events.stream().mapToInt(e -> e.json().length() + 1).sum());
    frame
        .append("{\"op\":\"batch\",\"sub\":")
        .append(quotedSubscriptionId)
        .append(",\"cursor\":\"")
        .append(cursor)
        .append("\",\"events\":[");
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        frame.append(',');
      }
      frame.append(events.get(i).json());
    }
    return frame.append("]}").toString();
  }

  /** The op of a frame built here; every one starts with {@code {"op":"<op>"}. */
  static String opOf(String frame) {
    String prefix = "{\"op\":\"";
    int end = frame.indexOf('"', prefix.length());
    return frame.startsWith(prefix) && end > 0 ? frame.substring(prefix.length(), end) : "frame";
  }

  private record EventMemo(String quotedId, String cursor, String eventJson, String frame) {}

  private record BatchMemo(
      String quotedId, String cursor, List<FeedRecord.Item> events, String frame) {}

  private record Encoded(String frame, byte[] bytes) {}

  private ObjectNode frame(String op) {
    ObjectNode frame = mapper.createObjectNode();
    frame.put("op", op);
    return frame;
  }
}
