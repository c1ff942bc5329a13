package dev.agentfeed.bench.gateway;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.Tier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * The events the gateway benchmark writes to {@code feed.live}: a tier-1 {@code message.chunk} as
 * the stream processor writes it, with {@code receivedAt} the time of writing. Encoded once by the
 * event codec with placeholders, cut at them, and per event put together from the pieces and the
 * values, so that the writer, in the same JVM as the clients and the broker, costs little (five
 * {@code String.replace} per event were 40 % of the writer thread).
 */
final class EventTemplate {

  private static final String SESSION = "zzsessionzz";
  private static final String MESSAGE = "zzmessagezz";
  private static final long SEQ = 987_654_321_987L;
  private static final Instant TS = Instant.ofEpochSecond(1);
  private static final Instant RECEIVED_AT = Instant.ofEpochSecond(2);
  // The placeholders, in the order of the values that bytes() fills them with.
  private static final List<String> PLACEHOLDERS =
      List.of(SESSION, MESSAGE, Long.toString(SEQ), TS.toString(), RECEIVED_AT.toString());

  private final EventCodec codec;
  private final String org;
  private final int textBytes;
  // The JSON between the placeholders, and which placeholder follows each piece (the last none).
  private final List<String> pieces = new ArrayList<>();
  private final List<Integer> holes = new ArrayList<>();
  private final StringBuilder json = new StringBuilder();

  EventTemplate(EventCodec codec, String org, int textBytes) {
    this.codec = codec;
    this.org = org;
    this.textBytes = textBytes;
    String template =
        new String(
            codec.toBytes(event(SESSION, MESSAGE, SEQ, TS, RECEIVED_AT)), StandardCharsets.UTF_8);
    int from = 0;
    while (true) {
      int next = -1;
      int hole = -1;
      for (int p = 0; p < PLACEHOLDERS.size(); p++) {
        int at = template.indexOf(PLACEHOLDERS.get(p), from);
        if (at >= 0 && (next < 0 || at < next)) {
          next = at;
          hole = p;
        }
      }
      if (next < 0) {
        pieces.add(template.substring(from));
        return;
      }
      pieces.add(template.substring(from, next));
      holes.add(hole);
      from = next + PLACEHOLDERS.get(hole).length();
    }
  }

  /** Event {@code number} of {@code session}, with its seq, written at {@code at}. */
  byte[] bytes(String session, long number, long seq, Instant at) {
    String time = at.toString();
    json.setLength(0);
    for (int i = 0; i < holes.size(); i++) {
      json.append(pieces.get(i));
      switch (holes.get(i)) {
        case 0 -> json.append(session);
        case 1 -> json.append("m-").append(number);
        case 2 -> json.append(seq);
        default -> json.append(time);
      }
    }
    json.append(pieces.get(holes.size()));
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The event as {@link #bytes} writes it, as an envelope. */
  EventEnvelope event(String session, String message, long seq, Instant ts, Instant receivedAt) {
    ObjectNode data = codec.mapper().createObjectNode();
    data.put("messageId", message);
    data.put("text", "x".repeat(textBytes));
    return new EventEnvelope(
        session + "-" + message,
        EventType.MESSAGE_CHUNK,
        org,
        session,
        "executor",
        "sandbox/bench",
        ts,
        data,
        receivedAt,
        seq,
        Tier.IMMEDIATE.number());
  }
}
