package dev.agentfeed.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTemplateTest {

  private final EventCodec codec = new EventCodec();
  private final EventTemplate template = new EventTemplate(codec, "bench", 20);

  @Test
  void shouldWriteWhatTheCodecWritesForTheSameEvent() {
    Instant at = Instant.parse("2026-11-24T06:11:18.016123Z");
    Instant later = Instant.parse("2026-11-24T06:11:19Z");

    List<String> written =
        List.of(
            utf8(template.bytes("ses-1", 7, 3, at)), utf8(template.bytes("ses-22", 8, 1, later)));

    assertThat(written)
        .containsExactly(
            utf8(codec.toBytes(template.event("ses-1", "m-7", 3, at, at))),
            utf8(codec.toBytes(template.event("ses-22", "m-8", 1, later, later))));
  }

  @Test
  void shouldWriteRecordsWhoseReceivedAtAndSeqTheReferenceReaderReads() {
    Instant at = Instant.parse("2026-11-24T06:11:18.016123Z");
    byte[] record = template.bytes("ses-1", 7, 3, at);

    assertThat(EventFrames.fields(record, 0, record.length))
        .isEqualTo(new EventFrames.Fields(at.getEpochSecond() * 1_000_000 + 16_123, 3));
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
