package dev.agentfeed.cli.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.client.AgentfeedClient;
import dev.agentfeed.client.EventIds;
import dev.agentfeed.client.testing.LocalIngest;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * {@code agentfeed forward} as its own JVM, killed with SIGKILL in the middle of a transcript and
 * started again: every line reaches ingest exactly once. Ingest's rate limit is low (burst 50, then
 * 100 events/s with 1 s pauses) so that the kill surely lands mid-file.
 */
class ForwarderRestartTest {

  private static final String ORG = "acme";
  private static final String SESSION = "adw-kill.implementor";
  private static final String MARKER_SOURCE = "test-marker";

  private static LocalIngest ingest;

  @TempDir Path temp;

  @BeforeAll
  static void startIngest() {
    ingest =
        new LocalIngest(
            "agentfeed.ingest.rate-limit.events-per-second=100",
            "agentfeed.ingest.rate-limit.burst=50");
  }

  @AfterAll
  static void stopIngest() {
    ingest.close();
  }

  private Process forward(Path agents, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            "dev.agentfeed.cli.AgentfeedCli",
            "forward",
            "--dir",
            agents.toString(),
            "--ingest",
            ingest.uri().toString(),
            "--token",
            ingest.token(ORG),
            "--chunk-lines",
            "10")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /** The events of the transcript's lines, without the test's markers. */
  private static List<EventEnvelope> lines(List<EventEnvelope> events) {
    return events.stream().filter(e -> !e.source().equals(MARKER_SOURCE)).toList();
  }

  /** Everything stored for the session up to a marker written now. */
  private static List<EventEnvelope> storedWithMarker() {
    String marker = EventIds.random();
    try (AgentfeedClient direct =
        AgentfeedClient.builder(ingest.uri(), ingest.token(ORG)).build()) {
      direct.send(
          new EventEnvelope(
              marker,
              EventType.LOG,
              ORG,
              SESSION,
              null,
              MARKER_SOURCE,
              Instant.now(),
              JsonNodeFactory.instance.objectNode().put("message", "marker"),
              null,
              null,
              null));
      direct.flush(Duration.ofSeconds(30));
    }
    return ingest.stored(SESSION, s -> s.stream().anyMatch(e -> e.id().equals(marker)));
  }

  private static List<String> texts(List<EventEnvelope> events) {
    return events.stream().map(e -> e.data().path("text").asString()).toList();
  }

  @Test
  void shouldDeliverEveryLineExactlyOnceWhenKilledMidFileAndRestarted() throws Exception {
    Path agents = temp.resolve("agents");
    Path transcript = agents.resolve("adw-kill/implementor/raw_output.jsonl");
    Transcripts.append(transcript, 0, 200);
    Path log = temp.resolve("forward.log");

    Process first = forward(agents, log);
    ingest.stored(SESSION, s -> s.size() >= 30);
    first.destroyForcibly();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    int beforeRestart = lines(storedWithMarker()).size();
    Transcripts.append(transcript, 200, 300);

    Process second = forward(agents, log);
    try {
      ingest.stored(SESSION, s -> lines(s).size() >= 300);
      // A line sent twice would have been sent before the marker written now.
      List<EventEnvelope> stored = lines(storedWithMarker());

      assertThat(beforeRestart).as("killed in the middle of the file").isLessThan(200);
      assertThat(texts(stored)).isEqualTo(Transcripts.texts(0, 300));
    } finally {
      second.destroyForcibly();
      second.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
