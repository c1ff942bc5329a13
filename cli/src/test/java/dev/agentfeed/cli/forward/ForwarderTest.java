package dev.agentfeed.cli.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.cli.AgentfeedCli;
import dev.agentfeed.client.AgentfeedClient;
import dev.agentfeed.client.EventIds;
import dev.agentfeed.client.testing.LocalIngest;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.node.JsonNodeFactory;

/** The forwarder in this JVM, watching a temporary agents directory, posting to real ingest. */
class ForwarderTest {

  private static final String ORG = "acme";

  private static LocalIngest ingest;

  @TempDir Path temp;
  private Path agents;
  private AgentfeedClient client;
  private Forwarder forwarder;
  private CompletableFuture<Void> running;
  private final List<String> warnings = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startIngest() {
    ingest = new LocalIngest();
  }

  @AfterAll
  static void stopIngest() {
    ingest.close();
  }

  @BeforeEach
  void directory() throws IOException {
    agents = Files.createDirectories(temp.resolve("agents"));
  }

  private void startForwarder() throws IOException {
    client = AgentfeedClient.builder(ingest.uri(), ingest.token(ORG)).build();
    forwarder =
        new Forwarder(
            agents,
            temp.resolve("state.json"),
            client,
            ORG,
            Clock.systemUTC(),
            100,
            Duration.ofMinutes(1),
            warnings::add);
    running =
        CompletableFuture.runAsync(
            () -> {
              try {
                forwarder.run();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
  }

  @AfterEach
  void stopForwarder() throws IOException {
    if (forwarder != null) {
      forwarder.close();
      running.join();
      client.close();
    }
  }

  /**
   * The session's events up to a marker written now. Call it once the forwarder has sent what the
   * test waits for: what it would wrongly send more is sent by then too.
   */
  private List<EventEnvelope> storedWithMarker(String session) {
    String marker = EventIds.random();
    try (AgentfeedClient direct =
        AgentfeedClient.builder(ingest.uri(), ingest.token(ORG)).build()) {
      direct.send(
          new EventEnvelope(
              marker,
              EventType.LOG,
              ORG,
              session,
              null,
              "test",
              Instant.now(),
              JsonNodeFactory.instance.objectNode().put("message", "marker"),
              null,
              null,
              null));
      direct.flush(Duration.ofSeconds(30));
    }
    return ingest.stored(session, s -> s.stream().anyMatch(e -> e.id().equals(marker))).stream()
        .filter(e -> !e.id().equals(marker))
        .toList();
  }

  private static List<String> texts(List<EventEnvelope> events) {
    return events.stream().map(e -> e.data().path("text").asString()).toList();
  }

  @Test
  void shouldForwardEachCompleteTranscriptLineAsItIsWritten() throws Exception {
    Path transcript = agents.resolve("adw-1/planner/raw_output.jsonl");
    Transcripts.append(transcript, 0, 2);
    String third = Transcripts.userLine(2);
    Transcripts.append(transcript, third.substring(0, 20));

    startForwarder();
    assertThat(texts(ingest.stored("adw-1.planner", s -> s.size() >= 2)))
        .isEqualTo(Transcripts.texts(0, 2));
    Transcripts.append(transcript, third.substring(20) + "\n");
    Transcripts.append(transcript, 3, 5);
    ingest.stored("adw-1.planner", s -> s.size() >= 5);

    List<EventEnvelope> stored = storedWithMarker("adw-1.planner");
    assertThat(texts(stored)).isEqualTo(Transcripts.texts(0, 5));
    assertThat(
            stored.stream().map(e -> e.type().wireName() + " " + e.agentId()).distinct().toList())
        .isEqualTo(List.of("message.completed planner"));
  }

  @Test
  void shouldSendEachPhaseChangeOfTheWorkflowStateOnce() throws Exception {
    Path state = agents.resolve("adw-2/adw_state.json");
    Files.createDirectories(state.getParent());
    Files.writeString(state, "{\"adw_id\":\"adw-2\",\"phase\":\"planner\"}");
    startForwarder();
    ingest.stored("adw-2", s -> !s.isEmpty());

    Files.writeString(state, "{\"adw_id\":\"adw-2\",\"phase\":\"implementor\",\"issue\":7}");
    ingest.stored("adw-2", s -> s.size() >= 2);
    Files.writeString(state, "{\"adw_id\":\"adw-2\",\"phase\":\"implementor\",\"issue\":8}");

    assertThat(
            storedWithMarker("adw-2").stream()
                .map(e -> e.type().wireName() + " " + e.data())
                .toList())
        .isEqualTo(
            List.of(
                "workflow.phase_changed {\"phase\":\"planner\"}",
                "workflow.phase_changed {\"phase\":\"implementor\",\"previousPhase\":\"planner\"}"));
  }

  @Test
  void shouldSendScreenshotsAndPlanSpecsAsArtifacts() throws Exception {
    Path shot = agents.resolve("adw-3/reviewer/review_img/home.png");
    Files.createDirectories(shot.getParent());
    Files.write(shot, new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    startForwarder();
    Path spec = agents.resolve("adw-3/planner/feature_plan_spec.md");
    Files.createDirectories(spec.getParent());
    Files.writeString(spec, "# Plan\n", StandardCharsets.UTF_8);
    ingest.stored("adw-3", s -> s.size() >= 2);

    List<Map<String, Object>> artifacts =
        storedWithMarker("adw-3").stream()
            .sorted(Comparator.comparing(e -> e.data().path("name").asString()))
            .map(
                e ->
                    Map.<String, Object>of(
                        "type", e.type().wireName(),
                        "agentId", e.agentId(),
                        "data", e.data().toString()))
            .toList();
    assertThat(artifacts)
        .isEqualTo(
            List.of(
                Map.of(
                    "type", "artifact.created",
                    "agentId", "planner",
                    "data",
                        "{\"kind\":\"spec\",\"name\":\"adw-3/planner/feature_plan_spec.md\","
                            + "\"uri\":\"agents/adw-3/planner/feature_plan_spec.md\","
                            + "\"contentType\":\"text/markdown\",\"bytes\":7,"
                            + "\"content\":\"# Plan\\n\"}"),
                Map.of(
                    "type", "artifact.created",
                    "agentId", "reviewer",
                    "data",
                        "{\"kind\":\"screenshot\",\"name\":\"adw-3/reviewer/review_img/home.png\","
                            + "\"uri\":\"agents/adw-3/reviewer/review_img/home.png\","
                            + "\"contentType\":\"image/png\",\"bytes\":4}")));
  }

  @Test
  void shouldReadNothingThroughSymlinksNorFromDirectoriesWithInvalidIds() throws Exception {
    Path outside = Files.createDirectories(temp.resolve("outside/planner"));
    Transcripts.append(outside.resolve("raw_output.jsonl"), 0, 3);
    Files.createDirectories(agents.resolve("adw-4"));
    Files.createSymbolicLink(agents.resolve("adw-4/planner"), outside);
    Files.createDirectories(agents.resolve("adw-4/tester"));
    Files.createSymbolicLink(
        agents.resolve("adw-4/tester/raw_output.jsonl"), outside.resolve("raw_output.jsonl"));
    Transcripts.append(agents.resolve("bad id/planner/raw_output.jsonl"), 0, 3);
    Transcripts.append(agents.resolve("adw-4/implementor/raw_output.jsonl"), 0, 1);

    startForwarder();
    ingest.stored("adw-4.implementor", s -> !s.isEmpty());

    assertThat(texts(storedWithMarker("adw-4.implementor"))).isEqualTo(Transcripts.texts(0, 1));
    assertThat(storedWithMarker("adw-4.planner")).isEmpty();
    assertThat(storedWithMarker("adw-4.tester")).isEmpty();
  }

  @Test
  void shouldStopWithExitCode1AndSaveNothingWhenIngestRefusesTheToken() throws Exception {
    Transcripts.append(agents.resolve("adw-5/planner/raw_output.jsonl"), 0, 2);
    Path state = temp.resolve("refused-state.json");
    StringWriter err = new StringWriter();
    CommandLine cli = AgentfeedCli.commandLine();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));

    int exitCode =
        cli.execute(
            "forward",
            "--dir",
            agents.toString(),
            "--ingest",
            ingest.uri().toString(),
            "--token",
            ingest.token("other-org"),
            "--org",
            ORG,
            "--state",
            state.toString());

    assertThat(exitCode).isEqualTo(1);
    assertThat(err.toString()).contains("agentfeed forward stopped: ingest refused the events of");
    assertThat(Files.exists(state)).isFalse();
  }
}
