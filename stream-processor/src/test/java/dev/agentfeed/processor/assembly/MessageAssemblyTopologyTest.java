package dev.agentfeed.processor.assembly;

import static dev.agentfeed.processor.testing.TestPipeline.data;
import static dev.agentfeed.processor.testing.TestPipeline.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.processor.ProcessorProperties;
import dev.agentfeed.processor.testing.TopologyTestBase;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
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

  @Test
  void shouldSealTheEarlierChunksOfALongMessageAndAssembleThemAll() {
    // Chunks of 1,000 characters (a letter per index): two blocks are sealed, at 4,096 characters
    // or more, of five chunks each, and three chunks stay open. Index 7 never comes; 3 comes a
    // second time, and its second text counts.
    int[] arrival = {1, 0, 2, 3, 4, 5, 6, 8, 9, 10, 3, 11, 12};
    for (int n = 0; n < arrival.length; n++) {
      int index = arrival[n];
      String text = n == 10 ? "again" : letters(index);
      pipeline.pipe(chunk("c" + n, "m1", index, text));
    }
    StringBuilder expected = new StringBuilder();
    for (int index = 0; index <= 12; index++) {
      expected.append(index == 7 ? "" : index == 3 ? "again" : letters(index));
    }
    assertThat(keys(MessageAssemblyTopology.BLOCKS_STORE))
        .containsExactly("org-a/ses-1/2:m1#0000000000", "org-a/ses-1/2:m1#0000000001");
    assertThat(keys(MessageAssemblyTopology.OPEN_MESSAGES_STORE))
        .containsExactly("org-a/ses-1/2:m1");

    pipeline.pipe(completed("done", "{'messageId':'m1'}"));

    ObjectNode assembled = dataOf(pipeline.enriched()).get(13);
    assertThat(assembled.get("text").asString()).isEqualTo(expected.toString());
    assertThat(assembled.get("chunksAssembled").asInt()).isEqualTo(12);
    assertThat(assembled.get("missingChunks").toString()).isEqualTo("[7]");
    assertThat(keys(MessageAssemblyTopology.BLOCKS_STORE)).isEmpty();
    assertThat(keys(MessageAssemblyTopology.OPEN_MESSAGES_STORE)).isEmpty();
  }

  @Test
  void shouldDropTheSealedBlocksOfAnExpiredMessageToo() {
    for (int index = 0; index < 10; index++) {
      pipeline.pipe(chunk("c" + index, "m1", index, "x".repeat(1000)));
    }
    assertThat(keys(MessageAssemblyTopology.BLOCKS_STORE)).hasSize(2);

    pipeline.advanceWallClock(settings.messageAssemblyTimeout().multipliedBy(2));

    assertThat(keys(MessageAssemblyTopology.BLOCKS_STORE)).isEmpty();
    assertThat(keys(MessageAssemblyTopology.OPEN_MESSAGES_STORE)).isEmpty();
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

  private static String letters(int index) {
    return String.valueOf((char) ('a' + index)).repeat(1000);
  }

  private List<String> keys(String store) {
    List<String> keys = new ArrayList<>();
    KeyValueStore<String, Object> kept = pipeline.driver().getKeyValueStore(store);
    try (KeyValueIterator<String, Object> all = kept.all()) {
      all.forEachRemaining(entry -> keys.add(entry.key));
    }
    return keys;
  }

  private static List<ObjectNode> dataOf(List<EventEnvelope> events) {
    return events.stream().map(EventEnvelope::data).toList();
  }
}
