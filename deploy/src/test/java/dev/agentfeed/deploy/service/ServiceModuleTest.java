package dev.agentfeed.deploy.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ServiceModuleTest {

  private static final String REBALANCING =
      "{\"components\":{\"kafkaStreams\":{\"details\":{\"state\":\"REBALANCING\",\"streamThreads\":1},"
          + "\"status\":\"UP\"}},\"status\":\"UP\"}";
  private static final String RUNNING = REBALANCING.replace("REBALANCING", "RUNNING");
  private static final String PLAIN_UP = "{\"status\":\"UP\"}";
  private static final String DOWN = "{\"status\":\"DOWN\"}";

  @Test
  void shouldTakeTheProcessorAsReadyOnlyOnceKafkaStreamsRuns() {
    Map<String, Boolean> ready =
        List.of(REBALANCING, RUNNING, DOWN).stream()
            .collect(
                Collectors.toMap(
                    body -> body, ServiceModule.STREAM_PROCESSOR::isReady, (a, b) -> a));

    assertThat(ready).isEqualTo(Map.of(REBALANCING, false, RUNNING, true, DOWN, false));
  }

  @Test
  void shouldTakeTheOtherServicesAsReadyWhenUp() {
    List<ServiceModule> others =
        List.of(ServiceModule.INGEST, ServiceModule.GATEWAY, ServiceModule.ARCHIVER);

    assertThat(others.stream().map(module -> module.isReady(PLAIN_UP)).toList())
        .containsExactly(true, true, true);
    assertThat(others.stream().map(module -> module.isReady(DOWN)).toList())
        .containsExactly(false, false, false);
  }
}
