package dev.agentfeed.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentfeed.model.payload.ToolCompleted;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class EventCodecTest {

  private final EventCodec codec = new EventCodec();

  private EventEnvelope toolCompleted() {
    ObjectNode data = codec.mapper().createObjectNode();
    data.put("toolId", "toolu_01").put("toolName", "Read").put("durationMs", 320);
    return new EventEnvelope(
        "e1",
        EventType.TOOL_COMPLETED,
        "org-1",
        "ses-1",
        "agent",
        null,
        Instant.parse("2026-01-30T12:00:00.123Z"),
        data,
        null,
        null,
        null);
  }

  @Test
  void shouldWriteTheWireFormWithoutNulls() {
    EventEnvelope event = toolCompleted().withSeq(7).withTier(Tier.BATCHED);

    assertThat(codec.toJson(event))
        .isEqualTo(
            "{\"id\":\"e1\",\"type\":\"tool.completed\",\"orgId\":\"org-1\",\"sessionId\":\"ses-1\","
                + "\"agentId\":\"agent\",\"ts\":\"2026-01-30T12:00:00.123Z\","
                + "\"data\":{\"toolId\":\"toolu_01\",\"toolName\":\"Read\",\"durationMs\":320},"
                + "\"seq\":7,\"tier\":2}");
  }

  @Test
  void shouldReadBackWhatItWrote() {
    EventEnvelope event =
        toolCompleted().withReceivedAt(Instant.parse("2026-01-30T12:00:01Z")).withSeq(3);

    assertThat(codec.fromBytes(codec.toBytes(event))).isEqualTo(event);
  }

  @Test
  void shouldGiveTheTypedPayload() {
    assertThat(codec.payload(toolCompleted(), ToolCompleted.class))
        .isEqualTo(new ToolCompleted("toolu_01", "Read", 320L, null, null, null, null));
  }

  @Test
  void shouldTierAFailedCompletionAtOnce() {
    EventEnvelope failed = toolCompleted();
    failed.data().put("success", false);

    assertThat(Tiers.of(failed)).isEqualTo(Tier.IMMEDIATE);
    assertThat(Tiers.of(toolCompleted())).isEqualTo(Tier.BATCHED);
  }

  @Test
  void shouldThrowSerializationExceptionForBytesThatAreNotAnEnvelope() {
    EventSerde serde = new EventSerde(codec);

    assertThatThrownBy(
            () ->
                serde.deserializer().deserialize("t", "not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class);
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void shouldRoundTripSessionKeys() {
    SessionRef ref = new SessionRef("org-1", "ses:1");

    assertThat(SessionRef.parseKey(ref.key())).isEqualTo(ref);
  }

  @Test
  void shouldReadEveryInstantFormAsJacksonItselfDoes() {
    JsonMapper jackson = JsonMapper.builder().build();
    List<String> values =
        List.of(
            "\"2026-01-30T12:00:00Z\"",
            "\"2026-01-30T12:00:00.123Z\"",
            "\"2026-01-30T12:00:00.123456789Z\"",
            "\"1969-12-31T23:59:59.999Z\"",
            "\"2026-01-30T12:00:00+01:00\"",
            "\"2026-01-30T12:00:00.1234567890Z\"",
            "\"2026-01-30T23:59:60Z\"",
            "\"2026-02-30T12:00:00Z\"",
            "\"2026-01-30 12:00:00Z\"",
            "\"yesterday\"",
            "\"\"",
            "1769774400",
            "1769774400.5",
            "true",
            "null");

    assertThat(values.stream().map(value -> readInstant(codec.mapper(), value)).toList())
        .isEqualTo(values.stream().map(value -> readInstant(jackson, value)).toList());
  }

  private static String readInstant(JsonMapper mapper, String json) {
    try {
      return String.valueOf(mapper.readValue(json, Instant.class));
    } catch (JacksonException e) {
      return e.getClass().getSimpleName() + ": " + e.getOriginalMessage();
    }
  }
}
