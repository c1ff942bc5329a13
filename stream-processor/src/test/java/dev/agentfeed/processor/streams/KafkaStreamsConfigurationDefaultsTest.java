package dev.agentfeed.processor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * The Kafka Streams configuration the application starts with when nothing is overridden: what
 * {@code stream-processor.yml} and the processor's settings give together.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "spring.config.name=stream-processor",
      "spring.kafka.streams.auto-startup=false",
      "agentfeed.topics.create=false"
    })
class KafkaStreamsConfigurationDefaultsTest {

  private static final List<String> CONTRACT_KEYS =
      List.of(
          "application.id",
          "bootstrap.servers",
          "state.dir",
          "processing.guarantee",
          "commit.interval.ms",
          "producer.linger.ms",
          "num.stream.threads",
          "replication.factor",
          "deserialization.exception.handler",
          "errors.dead.letter.queue.topic.name");

  @Autowired private StreamsBuilderFactoryBean streams;

  @Test
  void shouldRunExactlyOnceWithHalfSecondCommitsAndShortLingerByDefault() {
    Properties config = streams.getStreamsConfiguration();
    Map<String, String> actual = new LinkedHashMap<>();
    CONTRACT_KEYS.forEach(key -> actual.put(key, String.valueOf(config.get(key))));

    assertThat(actual)
        .isEqualTo(
            Map.of(
                "application.id", "agentfeed-stream-processor",
                "bootstrap.servers", "[localhost:9092]",
                "state.dir", "./data/stream-processor/state",
                "processing.guarantee", "exactly_once_v2",
                "commit.interval.ms", "500",
                "producer.linger.ms", "2",
                "num.stream.threads", "1",
                "replication.factor", "1",
                "deserialization.exception.handler",
                    "org.apache.kafka.streams.errors.LogAndContinueExceptionHandler",
                "errors.dead.letter.queue.topic.name", "agentfeed.events.dlq"));
  }
}
