package dev.agentfeed.gateway.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.SessionRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The seam between a replay and the live feed, without Kafka: offsets are given directly. */
class PartitionFeedTest {

  private static final SessionRef MINE = new SessionRef("org-a", "ses-1");
  private static final SessionRef SAME_ID_OTHER_ORG = new SessionRef("org-b", "ses-1");

  @Test
  void shouldDeliverTheTailFromTheReplayPositionThenLiveRecords() {
    PartitionFeed feed = new PartitionFeed(0, 100, 1_000_000);
    feed.startAt(0, 0);
    feed.append(records(MINE, 0, 9), 10);
    RecordingSubscriber subscriber = new RecordingSubscriber(MINE);

    assertThat(feed.registerAfterReplay(subscriber, 6)).isTrue();
    feed.append(records(MINE, 10, 11), 12);

    assertThat(subscriber.offsets()).containsExactly(6L, 7L, 8L, 9L, 10L, 11L);
  }

  @Test
  void shouldAskTheReplayToReadOnWhenTheTailNoLongerReachesBack() {
    PartitionFeed feed = new PartitionFeed(0, 3, 1_000_000);
    feed.startAt(0, 0);
    feed.append(records(MINE, 0, 9), 10);
    RecordingSubscriber subscriber = new RecordingSubscriber(MINE);

    assertThat(feed.registerAfterReplay(subscriber, 6)).isFalse();
    assertThat(feed.registerAfterReplay(subscriber, 7)).isTrue();
    assertThat(subscriber.offsets()).containsExactly(7L, 8L, 9L);
  }

  @Test
  void shouldDeliverOnlyRecordsOfTheSubscribersOrganisationAndSession() {
    PartitionFeed feed = new PartitionFeed(0, 100, 1_000_000);
    feed.startAt(0, 0);
    RecordingSubscriber subscriber = new RecordingSubscriber(MINE);
    feed.registerLive(subscriber);
    List<FeedRecord> mixed = new ArrayList<>();
    for (long offset = 0; offset < 6; offset++) {
      mixed.add(record(offset % 2 == 0 ? MINE : SAME_ID_OTHER_ORG, offset));
    }

    feed.append(mixed, 6);

    assertThat(subscriber.offsets()).containsExactly(0L, 2L, 4L);
  }

  @Test
  void shouldStartALiveSubscriptionMadeDuringCatchUpAtTheLogEndOfStart() {
    PartitionFeed feed = new PartitionFeed(0, 100, 1_000_000);
    feed.startAt(0, 5);
    RecordingSubscriber subscriber = new RecordingSubscriber(MINE);
    feed.registerLive(subscriber);

    feed.append(records(MINE, 0, 6), 7);

    assertThat(subscriber.offsets()).containsExactly(5L, 6L);
  }

  @Test
  void shouldNotRegisterASubscriberThatIsNoLongerActive() {
    PartitionFeed feed = new PartitionFeed(0, 100, 1_000_000);
    feed.startAt(0, 0);
    RecordingSubscriber subscriber = new RecordingSubscriber(MINE);
    subscriber.active = false;

    assertThat(feed.registerAfterReplay(subscriber, 0)).isTrue();

    assertThat(feed.subscriberCount()).isZero();
  }

  private static List<FeedRecord> records(SessionRef session, long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(o -> record(session, o)).toList();
  }

  private static FeedRecord record(SessionRef session, long offset) {
    return new FeedRecord(
        0,
        offset,
        session,
        false,
        List.of(new FeedRecord.Item("log", offset + 1, Instant.EPOCH, "{}")));
  }
}
