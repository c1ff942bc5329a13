package dev.agentfeed.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class LiveRecordTest {

  private final EventCodec codec = new EventCodec();

  private EventEnvelope event(String id, EventType type, String session, long seq) {
    ObjectNode data = codec.mapper().createObjectNode().put("message", id);
    return new EventEnvelope(
            id,
            type,
            "org-1",
            session,
            null,
            null,
            Instant.parse("2026-01-30T12:00:00Z"),
            data,
            null,
            null,
            null)
        .withSeq(seq);
  }

  @Test
  void shouldWriteABatchWithItsTypeAndSeqRange() {
    LiveBatch batch =
        LiveBatch.of(
            List.of(
                event("e2", EventType.LOG, "ses-1", 2), event("e4", EventType.LOG, "ses-1", 4)));

    assertThat(new String(codec.toBytes(batch), StandardCharsets.UTF_8))
        .startsWith(
            "{\"type\":\"batch\",\"orgId\":\"org-1\",\"sessionId\":\"ses-1\",\"firstSeq\":2,"
                + "\"lastSeq\":4,\"events\":[{\"id\":\"e2\"");
  }

  @Test
  void shouldReadBackABatchAndAnEventApart() {
    EventEnvelope single = event("e1", EventType.SESSION_STARTED, "ses-1", 1);
    LiveBatch batch = LiveBatch.of(List.of(event("e2", EventType.LOG, "ses-1", 2)));

    assertThat(codec.readLive(codec.toBytes(single))).isEqualTo(single);
    assertThat(codec.readLive(codec.toBytes(batch))).isEqualTo(batch);
  }

  @Test
  void shouldRefuseABatchMixingSessions() {
    List<EventEnvelope> mixed =
        List.of(event("e1", EventType.LOG, "ses-1", 1), event("e2", EventType.LOG, "ses-2", 1));

    assertThatThrownBy(() -> LiveBatch.of(mixed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("event e2 is not of session org-1/ses-1");
  }

  @Test
  void shouldWriteAndRecogniseADetailReference() {
    ObjectNode ref = new DetailRef("e7", 7, 4096).toNode();

    assertThat(ref.toString())
        .isEqualTo("{\"detail\":{\"eventId\":\"e7\",\"seq\":7,\"bytes\":4096}}");
    assertThat(DetailRef.isRef(ref)).isTrue();
    assertThat(DetailRef.isRef(codec.mapper().createObjectNode().put("detail", "text"))).isFalse();
  }
}
