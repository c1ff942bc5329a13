package dev.agentfeed.processor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.common.topics.TopicsProperties;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessorStreamsSettingsTest {

  @Test
  void shouldTurnProcessorAndTopicSettingsIntoStreamsConfig() {
    ProcessorStreamsSettings settings =
        new ProcessorStreamsSettings(
            new ProcessorProperties(
                Duration.ofHours(1),
                Duration.ofMillis(35),
                Duration.ofMillis(3),
                2,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null),
            new TopicsProperties("staging.", 12, (short) 3, true),
            new Topics("staging."));

    assertThat(settings.asMap())
        .isEqualTo(
            Map.of(
                "processing.guarantee", "exactly_once_v2",
                "commit.interval.ms", 35L,
                "producer.linger.ms", 3L,
                "num.stream.threads", 2,
                "replication.factor", 3,
                "topic.min.insync.replicas", "2",
                "deserialization.exception.handler",
                    "org.apache.kafka.streams.errors.LogAndContinueExceptionHandler",
                "processing.exception.handler",
                    "org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler",
                "errors.dead.letter.queue.topic.name", "staging.events.dlq"));
  }
}
