package dev.agentfeed.ingest.openhands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.ingest.TestResources;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenHands events to agentfeed events, on a conversation written from OpenHands' serialized event
 * shapes (actions with args, observations with cause, content and extras).
 */
class OpenHandsEventsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-30T13:00:00Z"), ZoneOffset.UTC);

  static String resource(String name) {
    return TestResources.text("openhands/" + name);
  }

  private static List<ObjectNode> convert(String session, JsonNode conversation) {
    OpenHandsEvents converter = new OpenHandsEvents("acme", session, CLOCK);
    List<ObjectNode> events = new ArrayList<>();
    for (JsonNode event : conversation) {
      OpenHandsEvents.Result result = converter.event(event);
      assertThat(result.error()).isNull();
      events.addAll(result.events());
    }
    return events;
  }

  /** Each event as its type and data, read back from JSON as the expected file is. */
  private static List<JsonNode> typesAndData(List<ObjectNode> events) {
    return events.stream()
        .map(
            e ->
                JSON.readTree(
                    JSON.createObjectNode()
                        .put("type", e.path("type").asString())
                        .set("data", e.path("data"))
                        .toString()))
        .toList();
  }

  @Test
  void shouldTurnTheConversationIntoTheExpectedEvents() {
    List<ObjectNode> events = convert("ses-oh", JSON.readTree(resource("conversation.json")));

    assertThat(typesAndData(events))
        .isEqualTo(resource("conversation.expected.jsonl").lines().map(JSON::readTree).toList());
  }

  @Test
  void shouldTakeEachEventsTimeFromItsTimestampAsUtc() {
    List<ObjectNode> events = convert("ses-oh", JSON.readTree(resource("conversation.json")));

    assertThat(events.get(0).path("ts").asString()).isEqualTo("2026-01-30T12:00:00Z");
    assertThat(events.get(events.size() - 1).path("ts").asString())
        .isEqualTo("2026-01-30T12:00:16Z");
  }

  @Test
  void shouldGiveTheSameIdsToTheSameConversationAndDistinctIdsWithin() {
    JsonNode conversation = JSON.readTree(resource("conversation.json"));
    List<String> first =
        convert("ses-oh", conversation).stream().map(e -> e.path("id").asString()).toList();
    List<String> again =
        convert("ses-oh", conversation).stream().map(e -> e.path("id").asString()).toList();

    assertThat(again).isEqualTo(first);
    assertThat(new HashSet<>(first)).hasSize(first.size());
  }

  @Test
  void shouldRejectAValueThatIsNeitherAnActionNorAnObservation() {
    OpenHandsEvents converter = new OpenHandsEvents("acme", "ses-oh", CLOCK);

    assertThat(converter.event(JSON.readTree("{\"id\":1,\"kind\":\"x\"}")))
        .isEqualTo(
            new OpenHandsEvents.Result(
                List.of(), "not an OpenHands event: it has neither 'action' nor 'observation'"));
  }
}
