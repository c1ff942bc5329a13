package dev.agentfeed.processor.testing;

import dev.agentfeed.model.Topics;
import java.nio.file.Path;
import org.apache.kafka.streams.StreamsBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * A topology test on the application's own wiring: the Spring context builds the topology (Kafka
 * Streams not started, no broker), and each test gets a fresh {@link TestPipeline} driver on it
 * with its own state directory.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "spring.config.name=stream-processor",
      "spring.kafka.streams.auto-startup=false",
      "agentfeed.topics.create=false"
    })
public abstract class TopologyTestBase {

  @Autowired private StreamsBuilderFactoryBean streams;
  @Autowired private StreamsBuilder builder;
  @Autowired private Topics topics;

  @TempDir private Path stateDir;

  protected TestPipeline pipeline;

  @BeforeEach
  void startDriver() {
    pipeline = new TestPipeline(streams, builder, topics, stateDir);
  }

  @AfterEach
  void closeDriver() {
    pipeline.close();
  }
}
