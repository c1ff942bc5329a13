package dev.agentfeed.processor.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.testing.TestPipeline;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Pins the names of the application's nodes, stores and internal topics: renaming a store or a
 * repartition topic loses its state on the next deployment, so it must be a deliberate change.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "spring.config.name=stream-processor",
      "spring.kafka.streams.auto-startup=false",
      "agentfeed.topics.create=false"
    })
class PipelineTopologyTest {

  @Autowired private StreamsBuilderFactoryBean streams;
  @Autowired private StreamsBuilder builder;
  @Autowired private Topics topics;

  @TempDir private Path stateDir;

  private TestPipeline pipeline;
  private final Set<String> nodes = new TreeSet<>();
  private final Set<String> stores = new TreeSet<>();
  private final Set<String> topicNames = new TreeSet<>();

  @BeforeEach
  void describe() {
    pipeline = new TestPipeline(streams, builder, topics, stateDir);
    for (TopologyDescription.Subtopology subtopology :
        pipeline.topology().describe().subtopologies()) {
      for (TopologyDescription.Node node : subtopology.nodes()) {
        nodes.add(node.name());
        if (node instanceof TopologyDescription.Processor processor) {
          stores.addAll(processor.stores());
        } else if (node instanceof TopologyDescription.Source source) {
          topicNames.addAll(source.topicSet());
        } else if (node instanceof TopologyDescription.Sink sink) {
          topicNames.add(sink.topic());
        }
      }
    }
  }

  @AfterEach
  void closeDriver() {
    pipeline.close();
  }

  @Test
  void shouldKeepTheNamesOfNodes() {
    assertThat(nodes)
        .containsExactly(
            "enriched-events",
            "feed-live-events",
            "file-differ",
            "live-batcher",
            "message-assembler",
            "org-minute-aggregate",
            "org-minute-final",
            "org-minute-out",
            "org-minute-partials",
            "org-minute-partials-repartition-filter",
            "org-minute-partials-repartition-sink",
            "org-minute-partials-repartition-source",
            "org-minute-to-stream",
            "org-minute-unwindow",
            "raw-events",
            "sequencer",
            "session-stats",
            "session-stats-out");
  }

  @Test
  void shouldKeepTheNamesOfStores() {
    assertThat(stores)
        .containsExactly(
            "dedupe-store",
            "file-content-store",
            "live-batch-store",
            "message-blocks-store",
            "open-messages-store",
            "org-minute-final-store",
            "org-minute-partials-store",
            "org-minute-store",
            "session-seq-store",
            "session-start-store",
            "session-stats-store");
  }

  @Test
  void shouldReadAndWriteThePipelineTopicsAndOneRepartitionTopic() {
    assertThat(topicNames)
        .containsExactly(
            "agentfeed.events.enriched",
            "agentfeed.events.raw",
            "agentfeed.feed.live",
            "agentfeed.sessions.stats",
            "agentfeed.stats.org-minute",
            "org-minute-partials-repartition");
  }
}
