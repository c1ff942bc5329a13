package dev.agentfeed.ingest.events;

import static dev.agentfeed.ingest.events.RunningIngest.JSON;
import static dev.agentfeed.ingest.events.RunningIngest.NDJSON;
import static dev.agentfeed.ingest.events.RunningIngest.ORG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.ingest.redaction.PlantedSecrets;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Secrets in an event's data never reach events.raw; what only looks like one does. */
class RedactionAtIngestTest {

  // Fake credentials of the right shape, assembled so that no scanner mistakes this file for a
  // leak.
  private static final String AWS_KEY_ID = "AKIA" + "IOSFODNN7EXAMPLE";
  private static final String GITHUB = "ghp_" + "a".repeat(20) + "B".repeat(16);
  private static final String ANTHROPIC = "sk-ant-" + "api03-" + "Abcdefghij0123456789_XYZ";
  private static final String SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8";
  private static final String UUID_TEXT = "3f9a0c1e-77b2-4d4e-8a61-0c5e2d9b4f10";

  private static RunningIngest ingest;

  private final String session = RunningIngest.newSession();

  @BeforeAll
  static void start() {
    ingest =
        RunningIngest.start(
            "agentfeed.ingest.redaction.extra-patterns.acme-license=ACME-[0-9]{4}-[0-9]{4}");
  }

  @AfterAll
  static void stop() {
    ingest.close();
  }

  private static String toolEvent(String id, String session, String command, String output) {
    return ("{'id':'%s','type':'tool.completed','orgId':'%s','sessionId':'%s',"
            + "'ts':'2026-01-30T12:00:00.123Z','data':{'toolId':'toolu_01','toolName':'Bash',"
            + "'success':true,'input':{'command':'%s'},'output':['%s']}}")
        .formatted(id, ORG, session, command, output)
        .replace('\'', '"');
  }

  @Test
  void shouldStoreEveryStringOfDataWithSecretsReplacedAndLookAlikesIntact() {
    String sent =
        toolEvent(
            "e1",
            session,
            "git push https://bot:" + GITHUB + "@github.com/acme/app " + SHA,
            "AWS_ACCESS_KEY_ID=" + AWS_KEY_ID + " run " + UUID_TEXT + " license ACME-1234-5678");

    assertThat(ingest.post(ingest.ingestToken(ORG), JSON, sent).statusCode()).isEqualTo(202);

    String expected =
        toolEvent(
            "e1",
            session,
            "git push https://bot:[REDACTED:url-password]@github.com/acme/app " + SHA,
            "AWS_ACCESS_KEY_ID=[REDACTED:aws-access-key] run "
                + UUID_TEXT
                + " license [REDACTED:acme-license]");
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(expected));
  }

  @Test
  void shouldLeaveNoPlantedSecretOfAnyKindInTheRawTopic() {
    ObjectNode data = ingest.json.createObjectNode().put("toolId", "t1").put("toolName", "Bash");
    data.put("success", true);
    ArrayNode outputs = data.putObject("input").putArray("commands");
    PlantedSecrets.everyKind().values().forEach(outputs::add);
    PlantedSecrets.lookAlikes().forEach(outputs::add);
    ObjectNode event = ingest.json.createObjectNode().put("id", "e1").put("type", "tool.completed");
    event.put("orgId", ORG).put("sessionId", session).put("ts", "2026-01-30T12:00:00Z");
    event.set("data", data);

    assertThat(ingest.post(ingest.ingestToken(ORG), JSON, event.toString()).statusCode())
        .isEqualTo(202);

    String stored =
        ingest.storedFor(ORG, session).stream()
            .map(s -> ingest.codec.toJson(s.event()))
            .collect(Collectors.joining("\n"));
    assertThat(PlantedSecrets.everyKind().keySet()).filteredOn(stored::contains).isEmpty();
    assertThat(PlantedSecrets.lookAlikes()).allMatch(stored::contains);
  }

  @Test
  void shouldRedactStreamedLinesToo() {
    String sent = toolEvent("e1", session, "export ANTHROPIC_API_KEY=" + ANTHROPIC, "ok");

    assertThat(ingest.post(ingest.ingestToken(ORG), NDJSON, sent + "\n").statusCode())
        .isEqualTo(202);

    String expected =
        toolEvent("e1", session, "export ANTHROPIC_API_KEY=[REDACTED:secret-assignment]", "ok");
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(expected));
  }

  @Test
  void shouldCountRedactionsByKind() {
    MeterRegistry registry = ingest.bean(MeterRegistry.class);
    Map<String, Double> before = redactions(registry);
    String sent = toolEvent("e1", session, AWS_KEY_ID + " " + AWS_KEY_ID, GITHUB);

    assertThat(ingest.post(ingest.ingestToken(ORG), JSON, sent).statusCode()).isEqualTo(202);

    Map<String, Double> after = redactions(registry);
    assertThat(
            List.of(
                after.get("aws-access-key") - before.get("aws-access-key"),
                after.get("github-token") - before.get("github-token"),
                after.get("jwt") - before.get("jwt")))
        .isEqualTo(List.of(2.0, 1.0, 0.0));
  }

  private static Map<String, Double> redactions(MeterRegistry registry) {
    return registry.find("agentfeed.ingest.redactions").counters().stream()
        .collect(Collectors.toMap(c -> c.getId().getTag("kind"), c -> c.count()));
  }
}
