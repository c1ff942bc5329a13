package dev.agentfeed.gateway.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.SessionRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tail holds its records encoded in a ring: what comes out must be what went in. */
class FeedTailTest {

  private static final SessionRef MINE = new SessionRef("org-a", "ses-1");
  private static final SessionRef OTHER_SESSION = new SessionRef("org-a", "ses-2");
  private static final SessionRef SAME_ID_OTHER_ORG = new SessionRef("org-b", "ses-1");

  @Test
  void shouldGiveBackEveryFieldOfEveryEventAsItWasAdded() {
    FeedTail tail = new FeedTail(3, 100, 1_000_000);
    tail.reset(0);
    FeedRecord batch =
        new FeedRecord(
            3,
            0,
            MINE,
            true,
            List.of(
                new FeedRecord.Item(
                    "tool.call", 7, Instant.parse("2026-01-02T03:04:05.678901234Z"), "{\"a\":1}"),
                new FeedRecord.Item("message.chunk", 8, null, "{\"text\":\"héllo — ✓ 😀\"}")));
    tail.add(batch);

    List<FeedRecord> back = tail.since(0, subscriber(MINE));

    assertThat(back).hasSize(1);
    FeedRecord record = back.get(0);
    assertThat(record.partition()).isEqualTo(3);
    assertThat(record.offset()).isZero();
    assertThat(record.session()).isEqualTo(MINE);
    assertThat(record.batch()).isTrue();
    assertThat(record.events()).isEqualTo(batch.events());
    assertThat(record.sizeInBytes()).isEqualTo(batch.sizeInBytes());
  }

  @Test
  void shouldGiveOnlyTheSubscribersRecordsAtOrAfterTheOffsetInOrder() {
    FeedTail tail = new FeedTail(0, 100, 1_000_000);
    tail.reset(0);
    SessionRef[] sessions = {MINE, OTHER_SESSION, SAME_ID_OTHER_ORG};
    for (long offset = 0; offset < 30; offset++) {
      tail.add(record(sessions[(int) (offset % 3)], offset, 100));
    }

    assertThat(offsets(tail.since(10, subscriber(MINE))))
        .containsExactly(12L, 15L, 18L, 21L, 24L, 27L);
    assertThat(offsets(tail.since(25, orgWide("org-a")))).containsExactly(25L, 27L, 28L);
    assertThat(offsets(tail.since(26, subscriber(SAME_ID_OTHER_ORG)))).containsExactly(26L, 29L);
  }

  @Test
  void shouldEvictTheOldestRecordsBeyondTheCount() {
    FeedTail tail = new FeedTail(0, 5, 1_000_000);
    tail.reset(0);
    for (long offset = 0; offset < 12; offset++) {
      tail.add(record(MINE, offset, 50));
    }

    assertThat(tail.size()).isEqualTo(5);
    assertThat(tail.covers(7)).isTrue();
    assertThat(tail.covers(6)).isFalse();
    assertThat(offsets(tail.since(0, subscriber(MINE)))).containsExactly(7L, 8L, 9L, 10L, 11L);
  }

  @Test
  void shouldWrapAroundTheRingAndEvictByBytes() {
    // Records of varied sizes through a ring of at most 64 KB, many times round.
    FeedTail tail = new FeedTail(0, 100_000, 64 * 1024);
    tail.reset(0);
    Random random = new Random(11);
    List<FeedRecord> added = new ArrayList<>();
    for (long offset = 0; offset < 5_000; offset++) {
      FeedRecord record = record(MINE, offset, 1 + random.nextInt(3_000));
      tail.add(record);
      added.add(record);

      List<FeedRecord> held = tail.since(0, subscriber(MINE));
      long oldest = held.get(0).offset();
      assertThat(tail.covers(oldest)).isTrue();
      assertThat(tail.covers(oldest - 1)).isFalse();
      assertThat(held).hasSize((int) (offset - oldest + 1));
      for (FeedRecord back : held) {
        assertThat(back.events()).isEqualTo(added.get((int) back.offset()).events());
      }
    }
    assertThat(tail.capacityBytes()).isEqualTo(64 * 1024);
    assertThat(tail.size()).isBetween(20, 100);
  }

  @Test
  void shouldStartSmallAndGrowTheRingOnlyAsRecordsCome() {
    FeedTail tail = new FeedTail(0, 1_000, 16 * 1024 * 1024);
    tail.reset(0);
    assertThat(tail.capacityBytes()).isZero();

    for (long offset = 0; offset < 10; offset++) {
      tail.add(record(MINE, offset, 500));
    }
    assertThat(tail.capacityBytes()).isEqualTo(64 * 1024);

    for (long offset = 10; offset < 200; offset++) {
      tail.add(record(MINE, offset, 500));
    }
    assertThat(tail.capacityBytes()).isEqualTo(128 * 1024);
    assertThat(offsets(tail.since(0, subscriber(MINE)))).hasSize(200).startsWith(0L, 1L);
  }

  @Test
  void shouldHoldNothingUpToARecordLargerThanTheWholeTail() {
    FeedTail tail = new FeedTail(0, 100, 4 * 1024);
    tail.reset(0);
    tail.add(record(MINE, 0, 100));
    tail.add(record(MINE, 1, 10_000));
    tail.add(record(MINE, 2, 100));

    assertThat(tail.covers(2)).isTrue();
    assertThat(tail.covers(1)).isFalse();
    assertThat(offsets(tail.since(0, subscriber(MINE)))).containsExactly(2L);
  }

  private static FeedRecord record(SessionRef session, long offset, int jsonChars) {
    String json = "{\"text\":\"" + "x".repeat(jsonChars) + "\"}";
    return new FeedRecord(
        0,
        offset,
        session,
        false,
        List.of(
            new FeedRecord.Item(
                "message.chunk", offset + 1, Instant.ofEpochMilli(1_000_000 + offset), json)));
  }

  private static List<Long> offsets(List<FeedRecord> records) {
    return records.stream().map(FeedRecord::offset).toList();
  }

  private static FeedSubscriber subscriber(SessionRef session) {
    return new RecordingSubscriber(session);
  }

  private static FeedSubscriber orgWide(String orgId) {
    return RecordingSubscriber.orgWide(orgId);
  }
}
