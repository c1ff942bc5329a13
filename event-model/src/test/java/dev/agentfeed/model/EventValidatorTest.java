package dev.agentfeed.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class EventValidatorTest {

  private final EventCodec codec = new EventCodec();
  private final EventValidator validator = new EventValidator(codec);

  private JsonNode json(String text) {
    return codec.mapper().readTree(text);
  }

  private List<String> problems(String text) {
    EventValidator.Result result = validator.validate(json(text));
    assertThat(result).isInstanceOf(EventValidator.Invalid.class);
    return ((EventValidator.Invalid) result)
        .violations().stream().map(Violation::toString).toList();
  }

  @Test
  void shouldAcceptTheEnvelopeFromTheDesign() {
    EventValidator.Result result =
        validator.validate(
            json(
                """
                {"id":"01JHX3K8Q2R5T7V9W1Y3Z5A7C9","type":"tool.completed","orgId":"org-123",
                 "sessionId":"ses-456","agentId":"executor-high","source":"sandbox/sbx-77",
                 "ts":"2026-01-30T12:00:00.123Z",
                 "data":{"toolId":"toolu_01","toolName":"Read","durationMs":320,
                         "resultSummary":"248 lines","success":true}}
                """));

    assertThat(result).isInstanceOf(EventValidator.Valid.class);
    EventEnvelope event = ((EventValidator.Valid) result).event();
    assertThat(event.type()).isEqualTo(EventType.TOOL_COMPLETED);
    assertThat(event.ts()).isEqualTo(Instant.parse("2026-01-30T12:00:00.123Z"));
    assertThat(event.session()).isEqualTo(new SessionRef("org-123", "ses-456"));
  }

  @Test
  void shouldReportEveryPayloadProblemWithItsPath() {
    assertThat(
            problems(
                """
                {"id":"e1","type":"tool.completed","orgId":"o","sessionId":"s",
                 "ts":"2026-01-30T12:00:00Z","data":{"toolId":"t1","toolName":" "}}
                """))
        .containsExactly("data.toolName: must not be blank");
  }

  @Test
  void shouldReportEveryEnvelopeProblemAtOnce() {
    assertThat(
            problems(
                """
                {"id":"has space","type":"tool.exploded","sessionId":"s","ts":"yesterday",
                 "data":[],"extra":1}
                """))
        .containsExactly(
            "extra: unknown field; an event has only id, type, orgId, sessionId, agentId, source, ts, data",
            "id: must match " + Ids.PATTERN_TEXT,
            "type: unknown event type 'tool.exploded'; expected one of " + EventType.wireNames(),
            "orgId: is required",
            "ts: must be an ISO-8601 timestamp such as 2026-01-30T12:00:00.123Z",
            "data: must be a JSON object");
  }

  @Test
  void shouldNameTheExpectedTypeWhenAPayloadFieldHasTheWrongType() {
    assertThat(
            problems(
                """
                {"id":"e1","type":"tool.completed","orgId":"o","sessionId":"s",
                 "ts":"2026-01-30T12:00:00Z",
                 "data":{"toolId":"t1","toolName":"Read","durationMs":"slow"}}
                """))
        .containsExactly("data.durationMs: has the wrong type; expected an integer");
  }

  @Test
  void shouldRejectANonObject() {
    assertThat(problems("[1]")).containsExactly("$: an event must be a JSON object");
  }

  @Test
  void shouldIgnoreFieldsOnlyThePipelineSets() {
    EventValidator.Result result =
        validator.validate(
            json(
                """
                {"id":"e1","type":"log","orgId":"o","sessionId":"s","ts":"2026-01-30T12:00:00Z",
                 "seq":99,"tier":1,"receivedAt":"2020-01-01T00:00:00Z",
                 "data":{"level":"info","message":"hello"}}
                """));

    EventEnvelope event = ((EventValidator.Valid) result).event();
    assertThat(List.of(event.seq() == null, event.tier() == null, event.receivedAt() == null))
        .containsExactly(true, true, true);
  }

  @Test
  void shouldKeepDataFieldsTheContractDoesNotName() {
    EventValidator.Result result =
        validator.validate(
            json(
                """
                {"id":"e1","type":"log","orgId":"o","sessionId":"s","ts":"2026-01-30T12:00:00Z",
                 "data":{"level":"warn","message":"disk low","host":"sbx-1"}}
                """));

    EventEnvelope event = ((EventValidator.Valid) result).event();
    assertThat(event.data().get("host").stringValue()).isEqualTo("sbx-1");
  }
}
