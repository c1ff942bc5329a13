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
                null,
                null),
            new TopicsProperties("staging.", 12, (short) 3, true),
            new Topics("staging."));

    assertThat(settings.asMap())
        .isEqualTo(
            Map.ofEntries(
                Map.entry("processing.guarantee", "exactly_once_v2"),
                Map.entry("commit.interval.ms", 35L),
                Map.entry("producer.linger.ms", 3L),
                Map.entry("producer.retry.backoff.ms", 2L),
                Map.entry("producer.retry.backoff.max.ms", 100L),
                Map.entry("num.stream.threads", 2),
                Map.entry("max.task.idle.ms", -1L),
                Map.entry("replication.factor", 3),
                Map.entry("topic.min.insync.replicas", "2"),
                Map.entry(
                    "deserialization.exception.handler",
                    "org.apache.kafka.streams.errors.LogAndContinueExceptionHandler"),
                Map.entry(
                    "processing.exception.handler",
                    "org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler"),
                Map.entry("errors.dead.letter.queue.topic.name", "staging.events.dlq")));
  }
}
