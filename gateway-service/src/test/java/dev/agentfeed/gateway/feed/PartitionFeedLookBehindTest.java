package dev.agentfeed.gateway.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.SessionRef;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * What the live reader read before the live start (its look-behind, with a fence that knew less
 * than a replay's) is never served: a replay that would join before it reads up to it itself.
 */
class PartitionFeedLookBehindTest {

  private static final SessionRef MINE = new SessionRef("org-a", "ses-1");

  @Test
  void shouldAskAReplayThatWouldJoinInsideTheLookBehindToReadOnToTheLiveStart() {
    PartitionFeed feed = new PartitionFeed(0, 100, 1_000_000);
    feed.startAt(0, 5);
    feed.append(records(0, 6), 7);
    RecordingSubscriber subscriber = new RecordingSubscriber(MINE);

    assertThat(feed.registerAfterReplay(subscriber, 3)).isFalse();
    assertThat(feed.registerAfterReplay(subscriber, 5)).isTrue();
    assertThat(subscriber.offsets()).isEqualTo(List.of(5L, 6L));
  }

  @Test
  void shouldNotBeCaughtUpBeforeTheLookBehindIsRead() {
    PartitionFeed feed = new PartitionFeed(0, 100, 1_000_000);
    feed.startAt(0, 5);
    feed.append(records(0, 3), 4);

    assertThat(feed.caughtUp()).isFalse();
    feed.append(records(4, 4), 5);
    assertThat(feed.caughtUp()).isTrue();
  }

  private static List<FeedRecord> records(long from, long to) {
    return LongStream.rangeClosed(from, to)
        .mapToObj(
            o ->
                new FeedRecord(
                    0,
                    o,
                    MINE,
                    false,
                    List.of(new FeedRecord.Item("log", o + 1, Instant.EPOCH, "{}"))))
        .toList();
  }
}
