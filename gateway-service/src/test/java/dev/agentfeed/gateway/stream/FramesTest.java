package dev.agentfeed.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.gateway.feed.FeedRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Event and batch frames are built once for subscribers that get the same frame, and never handed
 * to a subscriber whose id or cursor differs.
 */
class FramesTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String EVENT =
      "{\"id\":\"e1\",\"seq\":1,\"data\":{\"text\":\"naïve ✓ 😀\"}}";

  private final Frames frames = new Frames(JSON);

  @Test
  void shouldGiveEverySubscriberItsOwnIdAndCursorWhileSharingIdenticalFrames() {
    String first = frames.event(frames.quote("a"), "c1", EVENT);
    String same = frames.event(frames.quote("a"), "c1", EVENT);
    String otherId = frames.event(frames.quote("b"), "c1", EVENT);
    String otherCursor = frames.event(frames.quote("a"), "c2", EVENT);

    assertThat(same).isSameAs(first);
    assertThat(
            Stream.of(first, same, otherId, otherCursor)
                .map(JSON::readTree)
                .map(f -> List.of(f.path("sub").asString(), f.path("cursor").asString()))
                .toList())
        .isEqualTo(
            List.of(
                List.of("a", "c1"), List.of("a", "c1"), List.of("b", "c1"), List.of("a", "c2")));
  }

  @Test
  void shouldBuildBatchFramesPerIdCursorAndEvents() {
    List<FeedRecord.Item> events =
        List.of(
            new FeedRecord.Item("log", 1, Instant.EPOCH, "{\"seq\":1}"),
            new FeedRecord.Item("log", 2, Instant.EPOCH, "{\"seq\":2}"));
    List<FeedRecord.Item> fewer = events.subList(1, 2);

    String all = frames.batch(frames.quote("a"), "c1", events);
    String some = frames.batch(frames.quote("a"), "c1", fewer);

    assertThat(
            Stream.of(all, some)
                .map(JSON::readTree)
                .map(f -> f.path("events").valueStream().map(e -> e.path("seq").asLong()).toList())
                .toList())
        .isEqualTo(List.of(List.of(1L, 2L), List.of(2L)));
  }

  @Test
  void shouldEncodeFramesAsUtf8() {
    String frame = frames.event(frames.quote("a"), "c1", EVENT);

    assertThat(new String(frames.utf8(frame), StandardCharsets.UTF_8)).isEqualTo(frame);
    assertThat(frames.utf8(frame)).isEqualTo(frame.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldKeepTheEventJsonAsItIs() {
    JsonNode frame = JSON.readTree(frames.event(frames.quote("a"), "c1", EVENT));

    assertThat(frame.path("event")).isEqualTo(JSON.readTree(EVENT));
  }
}
