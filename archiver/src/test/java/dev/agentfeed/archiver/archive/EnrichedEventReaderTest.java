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
import tools.jackson.core.JacksonException;

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

  @Test
  void shouldDecideEveryFormOfEnvelopeAsTheCodecDoes() {
    String canonical = codec.toJson(TestSessions.work("org-1", "ses-1", 2, START));
    List<String> values =
        List.of(
            canonical,
            with(canonical, "seq", "\"2\""),
            with(canonical, "seq", "null"),
            with(canonical, "seq", "2.5"),
            with(canonical, "seq", "99999999999999999999"),
            with(canonical, "ts", "\"2026-01-30T13:00:02+01:00\""),
            with(canonical, "ts", "\"2026-01-30T12:00:02.5Z\""),
            with(canonical, "ts", "\"yesterday\""),
            with(canonical, "ts", null),
            with(canonical, "type", "\"no.such.type\""),
            with(canonical, "agentId", "7"),
            with(canonical, "agentId", "null"),
            with(canonical, "tier", "\"two\""),
            with(canonical, "receivedAt", "\"2026-01-30T12:00:02.001Z\""),
            with(canonical, "receivedAt", "\"later\""),
            with(canonical, "orgId", "null"),
            with(canonical, "data", "[]"),
            with(canonical, "id", null),
            canonical + " {}",
            canonical + " ",
            "[" + canonical + "]");

    List<String> fast = values.stream().map(v -> describe(reader.read(record(bytes(v))))).toList();
    List<String> bound = values.stream().map(v -> boundByCodec(bytes(v))).toList();

    assertThat(fast).isEqualTo(bound).contains("rejected");
  }

  /** The envelope with one field's JSON replaced (or removed when null), at the end. */
  private String with(String json, String field, String value) {
    tools.jackson.databind.node.ObjectNode tree =
        (tools.jackson.databind.node.ObjectNode) codec.mapper().readTree(json);
    tree.remove(field);
    String rest = codec.mapper().writeValueAsString(tree);
    return value == null
        ? rest
        : rest.substring(0, rest.length() - 1) + ",\"" + field + "\":" + value + "}";
  }

  private static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  /** What the reader did before it had a fast path: bind every record with the codec. */
  private String boundByCodec(byte[] value) {
    try {
      EventEnvelope event = codec.fromBytes(value);
      if (event.seq() == null || event.seq() < 1) {
        return "rejected";
      }
      return List.of(
              event.orgId(),
              event.sessionId(),
              event.seq(),
              event.ts(),
              event.type(),
              String.valueOf(event.agentId()))
          .toString();
    } catch (JacksonException e) {
      return "rejected";
    }
  }

  private static String describe(EnrichedEventReader.Result result) {
    if (result instanceof EnrichedEventReader.Accepted accepted) {
      return List.of(
              accepted.session().orgId(),
              accepted.session().sessionId(),
              accepted.event().seq(),
              accepted.event().ts(),
              accepted.event().type(),
              String.valueOf(accepted.event().agentId()))
          .toString();
    }
    return "rejected";
  }
}
