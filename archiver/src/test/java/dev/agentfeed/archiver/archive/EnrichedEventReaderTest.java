package dev.agentfeed.archiver.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.archiver.testing.TestSessions;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.SessionRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class EnrichedEventReaderTest {

  private static final Instant START = Instant.parse("2026-01-30T12:00:00Z");

  private final EventCodec codec = new EventCodec();
  private final EnrichedEventReader reader = new EnrichedEventReader(codec);

  private static ConsumerRecord<String, byte[]> record(byte[] value) {
    return new ConsumerRecord<>("agentfeed.events.enriched", 3, 42, "ses-1", value);
  }

  @Test
  void shouldKeepTheRecordBytesAsTheReplayLine() {
    EventEnvelope event = TestSessions.work("org-1", "ses-1", 2, START);
    byte[] value =
        codec.toJson(event).replace("}", ",\"addedLater\":true}").getBytes(StandardCharsets.UTF_8);

    EnrichedEventReader.Accepted accepted =
        (EnrichedEventReader.Accepted) reader.read(record(value));

    assertThat(accepted.session()).isEqualTo(new SessionRef("org-1", "ses-1"));
    assertThat(
            List.of(
                accepted.event().offset(),
                accepted.event().seq(),
                accepted.event().ts(),
                accepted.event().type(),
                accepted.event().agentId()))
        .isEqualTo(List.of(42L, 2L, event.ts(), event.type(), "executor-high"));
    assertThat(accepted.event().line()).isEqualTo(value);
  }

  @Test
  void shouldEncodeAValueSpreadOverSeveralLinesOnOneLine() {
    EventEnvelope event = TestSessions.work("org-1", "ses-1", 2, START);
    byte[] value = codec.toJson(event).replace(",", ",\n  ").getBytes(StandardCharsets.UTF_8);

    EnrichedEventReader.Accepted accepted =
        (EnrichedEventReader.Accepted) reader.read(record(value));

    assertThat(accepted.event().line()).isEqualTo(codec.toBytes(event));
  }

  @Test
  void shouldRejectWhatCannotBeArchived() {
    EventEnvelope unsequenced = TestSessions.work("org-1", "ses-1", 2, START).withSeq(0);
    EventEnvelope badSession =
        new EventEnvelope(
            "e1",
            EventType.LOG,
            "org-1",
            "../etc",
            null,
            null,
            START,
            codec.mapper().createObjectNode(),
            null,
            1L,
            2);

    List<EnrichedEventReader.Result> results =
        List.of(
            reader.read(record(null)),
            reader.read(record("{not json".getBytes(StandardCharsets.UTF_8))),
            reader.read(record(codec.toBytes(unsequenced))),
            reader.read(record(codec.toBytes(badSession))));

    assertThat(results)
        .map(r -> ((EnrichedEventReader.Rejected) r).reason())
        .satisfiesExactly(
            r -> assertThat(r).isEqualTo("a record without value (tombstone) on an event topic"),
            r -> assertThat(r).startsWith("not an agentfeed envelope: "),
            r -> assertThat(r).isEqualTo("no seq: events.enriched carries sequenced events only"),
            r ->
                assertThat(r)
                    .isEqualTo("orgId or sessionId does not match [A-Za-z0-9._:-]{1,128}"));
  }
}
