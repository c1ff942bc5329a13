package dev.agentfeed.processor.assembly;

import static dev.agentfeed.processor.testing.TestPipeline.data;
import static dev.agentfeed.processor.testing.TestPipeline.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.processor.ProcessorProperties;
import dev.agentfeed.processor.testing.TopologyTestBase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.node.ObjectNode;

/** Streamed messages through the application's topology: chunks flow, completions get the text. */
class MessageAssemblyTopologyTest extends TopologyTestBase {

  private static final String ORG = "org-a";
  private static final String SESSION = "ses-1";

  @Autowired private ProcessorProperties settings;

  @Test
  void shouldPassChunksOnUnchangedAtOnce() {
    EventEnvelope chunk = chunk("c1", "m1", 0, "Hel");

    pipeline.pipe(chunk);

    assertThat(dataOf(pipeline.enriched())).containsExactly(chunk.data());
  }

  @Test
  void shouldAssembleTextInChunkOrderWhenCompleted() {
    pipeline.pipe(
        chunk("c1", "m1", 1, "lo, "),
        chunk("c2", "m1", 0, "Hel"),
        chunk("c3", "m1", 2, "world"),
        completed("c4", "{'messageId':'m1','chunkCount':3}"));

    assertThat(dataOf(pipeline.enriched()).get(3))
        .isEqualTo(
            data(
                "{'messageId':'m1','chunkCount':3,'text':'Hello, world','chunksAssembled':3,"
                    + "'missingChunks':[],'missingChunkCount':0}"));
  }

  @Test
  void shouldFlagMissingChunks() {
    pipeline.pipe(
        chunk("c1", "m1", 0, "a"),
        chunk("c2", "m1", 2, "c"),
        completed("c3", "{'messageId':'m1','chunkCount':4}"));

    assertThat(dataOf(pipeline.enriched()).get(2))
        .isEqualTo(
            data(
                "{'messageId':'m1','chunkCount':4,'text':'ac','chunksAssembled':2,"
                    + "'missingChunks':[1,3],'missingChunkCount':2}"));
  }

  @Test
  void shouldKeepTheTextTheAgentSent() {
    pipeline.pipe(
        chunk("c1", "m1", 0, "draft"), completed("c2", "{'messageId':'m1','text':'final'}"));

    assertThat(dataOf(pipeline.enriched()).get(1))
        .isEqualTo(
            data(
                "{'messageId':'m1','text':'final','chunksAssembled':1,'missingChunks':[],"
                    + "'missingChunkCount':0}"));
  }

  @Test
  void shouldAssembleThinkingFromChunksWithItsId() {
    pipeline.pipe(
        chunk("c1", "th-1", 0, "Let me "),
        chunk("c2", "th-1", 1, "think"),
        event(ORG, SESSION, "c3", EventType.THINKING_COMPLETED, "{'thinkingId':'th-1'}"));

    assertThat(dataOf(pipeline.enriched()).get(2))
        .isEqualTo(
            data(
                "{'thinkingId':'th-1','text':'Let me think','chunksAssembled':2,"
                    + "'missingChunks':[],'missingChunkCount':0}"));
  }

  @Test
  void shouldNotMixMessagesOfTwoOrgsWithTheSameSessionId() {
    pipeline.pipe(
        chunk("c1", "m1", 0, "mine"),
        event(
            "org-b",
            SESSION,
            "c2",
            EventType.MESSAGE_CHUNK,
            "{'messageId':'m1','chunkIndex':0,'text':'theirs'}"),
        completed("c3", "{'messageId':'m1'}"));

    assertThat(dataOf(pipeline.enriched()).get(2).get("text").asString()).isEqualTo("mine");
  }

  @Test
  void shouldDropChunksThatStopForTheTimeoutWithoutEmittingAnything() {
    pipeline.pipe(chunk("c1", "m1", 0, "lost"));
    pipeline.enriched();

    pipeline.advanceWallClock(settings.messageAssemblyTimeout().multipliedBy(2));
    pipeline.pipe(completed("c2", "{'messageId':'m1'}"));

    assertThat(dataOf(pipeline.enriched())).containsExactly(data("{'messageId':'m1'}"));
  }

  @Test
  void shouldKeepChunksThatAreYoungerThanTheTimeout() {
    pipeline.pipe(chunk("c1", "m1", 0, "kept"));

    pipeline.advanceWallClock(settings.messageAssemblyTimeout().dividedBy(2));
    pipeline.pipe(completed("c2", "{'messageId':'m1'}"));

    assertThat(dataOf(pipeline.enriched()).get(1).get("text").asString()).isEqualTo("kept");
  }

  private static EventEnvelope chunk(String id, String messageId, int index, String text) {
    return event(
        ORG,
        SESSION,
        id,
        EventType.MESSAGE_CHUNK,
        "{'messageId':'" + messageId + "','chunkIndex':" + index + ",'text':'" + text + "'}");
  }

  private static EventEnvelope completed(String id, String data) {
    return event(ORG, SESSION, id, EventType.MESSAGE_COMPLETED, data);
  }

  private static List<ObjectNode> dataOf(List<EventEnvelope> events) {
    return events.stream().map(EventEnvelope::data).toList();
  }
}
