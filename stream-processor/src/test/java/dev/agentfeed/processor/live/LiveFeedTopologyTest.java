package dev.agentfeed.processor.live;

import static dev.agentfeed.processor.testing.TestPipeline.T0;
import static dev.agentfeed.processor.testing.TestPipeline.codec;
import static dev.agentfeed.processor.testing.TestPipeline.data;
import static dev.agentfeed.processor.testing.TestPipeline.describe;
import static dev.agentfeed.processor.testing.TestPipeline.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.DetailRef;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.LiveBatch;
import dev.agentfeed.model.LiveRecord;
import dev.agentfeed.processor.ProcessorProperties;
import dev.agentfeed.processor.testing.TopologyTestBase;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.node.ObjectNode;

/** What dashboards get on {@code feed.live}: tier 1 at once, tier 2 batched, tier 3 cut. */
class LiveFeedTopologyTest extends TopologyTestBase {

  private static final String ORG = "org-a";
  private static final String SESSION = "ses-1";

  @Autowired private ProcessorProperties settings;

  @Test
  void shouldSendTierOneEventAtOnceAsEnrichedHasIt() {
    pipeline.pipe(failed("e1"));

    List<EventEnvelope> enriched = pipeline.enriched();

    assertThat(pipeline.feedLive()).containsExactlyElementsOf(enriched);
  }

  @Test
  void shouldHoldTierTwoEventsWhileTheWindowIsOpen() {
    pipeline.pipe(started("e1"), completed("e2"), log("e3"));

    pipeline.advanceWallClock(settings.batchWindow().dividedBy(2));

    assertThat(pipeline.feedLive()).isEmpty();
  }

  @Test
  void shouldFlushBatchWhenTheWindowEndsOnTheWallClockWithoutNewInput() {
    pipeline.pipe(started("e1"), completed("e2"), log("e3"));
    List<EventEnvelope> enriched = pipeline.enriched();

    pipeline.advanceWallClock(settings.batchWindow());

    assertThat(pipeline.feedLive()).containsExactly(LiveBatch.of(enriched));
  }

  @Test
  void shouldFlushPendingBatchBeforeTierOneEventOfTheSameSession() {
    pipeline.pipe(started("e1"), completed("e2"), failed("e3"), log("e4"));
    pipeline.advanceWallClock(settings.batchWindow());

    assertThat(describe(pipeline.feedLive()))
        .containsExactly("batch 1..2 [e1:1, e2:2]", "event e3:3", "batch 4..4 [e4:4]");
  }

  @Test
  void shouldNotFlushOtherSessionsBatchForATierOneEvent() {
    pipeline.pipe(
        started("e1"),
        event(ORG, "ses-2", "f1", EventType.TOOL_STARTED, "{'toolId':'t','toolName':'Read'}"),
        failed("e2"));

    assertThat(describe(pipeline.feedLive())).containsExactly("batch 1..1 [e1:1]", "event e2:2");
  }

  @Test
  void shouldBatchEachSessionOfEachOrgApart() {
    pipeline.pipe(
        started("e1"),
        event("org-b", SESSION, "e1", EventType.LOG, "{'message':'other org'}"),
        log("e2"));
    pipeline.advanceWallClock(settings.batchWindow());

    assertThat(
            pipeline.feedLive().stream()
                .map(r -> r.session().key() + " " + describe(List.of(r)))
                .toList())
        .containsExactly(
            "org-a/ses-1 [batch 1..2 [e1:1, e2:2]]", "org-b/ses-1 [batch 1..1 [e1:1]]");
  }

  @Test
  void shouldStartANewBatchRatherThanExceedTheMaximumSize() {
    String text = "x".repeat(1500);
    int count = (int) (settings.batchMaxBytes().toBytes() / 1500) + 10;
    for (int i = 1; i <= count; i++) {
      pipeline.pipe(log("e" + i, text));
    }
    pipeline.advanceWallClock(settings.batchWindow());

    List<TestRecord<String, byte[]>> records = pipeline.feedLiveRecords();

    assertThat(records).hasSize(2);
    assertThat(records)
        .allSatisfy(r -> assertThat((long) r.value().length).isLessThan(maxBatchBytesPlusFrame()));
    assertThat(
            records.stream()
                .mapToInt(r -> ((LiveBatch) codec().readLive(r.value())).events().size())
                .sum())
        .isEqualTo(count);
  }

  @Test
  void shouldWriteBatchExactlyAsTheCodecWritesIt() {
    pipeline.pipe(started("e1"), log("e2", "quote \" and ünïcode"));
    List<EventEnvelope> enriched = pipeline.enriched();
    pipeline.advanceWallClock(settings.batchWindow());

    assertThat(pipeline.feedLiveRecords().get(0).value())
        .isEqualTo(codec().toBytes(LiveBatch.of(enriched)));
  }

  @Test
  void shouldKeyEveryLiveRecordBySessionId() {
    pipeline.pipe(started("e1"), failed("e2"));

    assertThat(pipeline.feedLiveRecords().stream().map(TestRecord::key).toList())
        .containsExactly(SESSION, SESSION);
  }

  @Test
  void shouldTimestampBatchWithItsLatestEventAndNothingBeforeTheSessionStart() {
    pipeline.pipeAt(T0.plusSeconds(5), started("e1"));
    pipeline.pipeAt(T0.plusSeconds(7), log("e2"));
    pipeline.pipeAt(T0, failed("e3"));

    assertThat(pipeline.feedLiveRecords().stream().map(TestRecord::getRecordTime).toList())
        .containsExactly(T0.plusSeconds(7), T0.plusSeconds(5));
  }

  @Test
  void shouldReplaceFieldsOverTheThresholdByDetailReferenceInLiveOnly() {
    ObjectNode input = data("{'command':'" + "a".repeat(3000) + "'}");
    ObjectNode full = data("{'toolId':'t1','toolName':'Bash','error':'exit 1'}");
    full.set("input", input);
    pipeline.pipe(failed("e1").withData(full));

    EventEnvelope enriched = pipeline.enriched().get(0);
    ObjectNode cut = full.deepCopy();
    cut.set(
        "input", new DetailRef("e1", 1, codec().mapper().writeValueAsBytes(input).length).toNode());

    assertThat(enriched.data()).isEqualTo(full);
    assertThat(pipeline.feedLive()).containsExactly(asRead(enriched.withData(cut)));
  }

  @Test
  void shouldKeepFieldsAtTheThresholdLive() {
    int threshold = (int) settings.detailThreshold().toBytes();
    // Two quotes and the text: exactly the threshold.
    ObjectNode data = data("{'message':'" + "b".repeat(threshold - 2) + "'}");
    pipeline.pipe(event(ORG, SESSION, "e1", EventType.SESSION_FAILED, "{}").withData(data));

    assertThat(((EventEnvelope) pipeline.feedLive().get(0)).data()).isEqualTo(data);
  }

  @Test
  void shouldCutFullDiffAndContentButKeepTheDiffPreviewLive() {
    StringBuilder after = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      after.append("line ").append(i).append('\n');
    }
    pipeline.pipe(
        event(ORG, SESSION, "e1", EventType.FILE_CREATED, "{}")
            .withData(data("{'path':'a.txt'}").put("after", after.toString())));

    EventEnvelope enriched = pipeline.enriched().get(0);
    ObjectNode live = ((EventEnvelope) pipeline.feedLive().get(0)).data();

    assertThat(live.properties().stream().map(e -> e.getKey()).toList())
        .containsExactly(
            "path", "after", "diff", "diffPreview", "linesAdded", "linesRemoved", "diffContext");
    assertThat(List.of(live.get("diffPreview"), live.get("linesAdded")))
        .containsExactly(enriched.data().get("diffPreview"), enriched.data().get("linesAdded"));
    assertThat(List.of(DetailRef.isRef(live.get("after")), DetailRef.isRef(live.get("diff"))))
        .containsExactly(true, true);
  }

  @Test
  void shouldCutLargeFieldsOfBatchedEventsToo() {
    String result = "r".repeat(5000);
    pipeline.pipe(
        completed("e1").withData(data("{'toolId':'t1','toolName':'Read','success':true}")));
    pipeline.pipe(
        completed("e2")
            .withData(
                data("{'toolId':'t2','toolName':'Read','success':true}")
                    .put("resultPreview", result)));
    pipeline.advanceWallClock(settings.batchWindow());

    LiveBatch batch = (LiveBatch) pipeline.feedLive().get(0);

    assertThat(batch.events().get(1))
        .isEqualTo(
            asRead(
                batch
                    .events()
                    .get(1)
                    .withData(
                        data("{'toolId':'t2','toolName':'Read','success':true}")
                            .set(
                                "resultPreview",
                                new DetailRef("e2", 2, result.length() + 2).toNode()))));
  }

  /** The event as a consumer reads it back (JSON numbers come back as the smallest type). */
  private static EventEnvelope asRead(EventEnvelope event) {
    return codec().fromBytes(codec().toBytes(event));
  }

  @Test
  void shouldSendTheLastBatchOfASessionThatEnds() {
    pipeline.pipe(started("e1"), event(ORG, SESSION, "e2", EventType.SESSION_COMPLETED, "{}"));

    List<LiveRecord> live = pipeline.feedLive();

    assertThat(describe(live)).containsExactly("batch 1..1 [e1:1]", "event e2:2");
  }

  private long maxBatchBytesPlusFrame() {
    return settings.batchMaxBytes().toBytes() + 200;
  }

  private static EventEnvelope started(String id) {
    return event(ORG, SESSION, id, EventType.TOOL_STARTED, "{'toolId':'t','toolName':'Read'}");
  }

  private static EventEnvelope completed(String id) {
    return event(
        ORG,
        SESSION,
        id,
        EventType.TOOL_COMPLETED,
        "{'toolId':'t','toolName':'Read','success':true}");
  }

  private static EventEnvelope failed(String id) {
    return event(
        ORG, SESSION, id, EventType.TOOL_FAILED, "{'toolId':'t','toolName':'Bash','error':'x'}");
  }

  private static EventEnvelope log(String id) {
    return log(id, "hello");
  }

  private static EventEnvelope log(String id, String message) {
    return event(ORG, SESSION, id, EventType.LOG, Instant.parse("2026-01-30T12:00:00Z"), "{}")
        .withData(data("{}").put("message", message));
  }
}
