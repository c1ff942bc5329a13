package dev.agentfeed.processor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EnvelopeBytesTest {

  private static final EventCodec CODEC = new EventCodec();
  private static final Instant T0 = Instant.parse("2026-01-30T12:00:00Z");

  private final EnvelopeBytes envelopeBytes = new EnvelopeBytes(CODEC);

  @Test
  void shouldHandTheSinksBytesToALaterStepWritingTheSameEnvelope() {
    EventEnvelope event = event("e1", "first");

    byte[] written = envelopeBytes.serialize("enriched", event);

    assertThat(envelopeBytes.of(event)).isSameAs(written).isEqualTo(CODEC.toBytes(event));
  }

  @Test
  void shouldSerialiseAnotherEnvelopeEvenWithTheSameContent() {
    EventEnvelope event = event("e1", "first");
    EventEnvelope cut = event.withData(event.data().deepCopy().put("text", "cut"));
    envelopeBytes.serialize("enriched", event);

    assertThat(envelopeBytes.of(cut)).isEqualTo(CODEC.toBytes(cut));
  }

  @Test
  void shouldPassNullThrough() {
    assertThat(envelopeBytes.serialize("enriched", null)).isNull();
  }

  private static EventEnvelope event(String id, String text) {
    return new EventEnvelope(
        id,
        EventType.LOG,
        "org-a",
        "ses-1",
        "agent",
        "sandbox/1",
        T0,
        CODEC.mapper().createObjectNode().put("text", text),
        T0,
        3L,
        2);
  }
}
