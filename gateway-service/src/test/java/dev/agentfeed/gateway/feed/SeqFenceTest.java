package dev.agentfeed.gateway.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.SessionRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The seq fence on its own: what it passes on of a log with an aborted, re-emitted transaction. */
class SeqFenceTest {

  private static final SessionRef MINE = new SessionRef("org-a", "ses-1");
  private static final SessionRef SAME_ID_OTHER_ORG = new SessionRef("org-b", "ses-1");
  private static final SessionRef OTHER = new SessionRef("org-a", "ses-2");

  private long offset;

  @Test
  void shouldPassOnEverySeqOnceOverAnAbortedTransactionAndItsReemission() {
    SeqFence fence = new SeqFence(100);
    List<FeedRecord> log =
        List.of(
            event(MINE, 1),
            event(MINE, 2),
            // aborted: 3, then 4..5 as a batch
            event(MINE, 3),
            batch(MINE, 4, 5),
            // re-emitted, cut differently: 3..4 as a batch, 5 alone, then new ones
            batch(MINE, 3, 4),
            event(MINE, 5),
            batch(MINE, 6, 7));

    assertThat(seqsPassed(fence, log)).isEqualTo(range(1, 7));
  }

  @Test
  void shouldKeepOnlyTheNewEventsOfABatchMixingPassedOnAndNewSeqs() {
    SeqFence fence = new SeqFence(100);
    fence.admit(batch(MINE, 1, 3));

    FeedRecord mixed = batch(MINE, 2, 5);
    Optional<FeedRecord> admitted = fence.admit(mixed);

    assertThat(admitted).isPresent();
    assertThat(admitted.get().events().stream().map(FeedRecord.Item::seq).toList())
        .isEqualTo(range(4, 5));
    assertThat(admitted.get().batch()).isTrue();
    assertThat(admitted.get().offset()).isEqualTo(mixed.offset());
  }

  @Test
  void shouldFenceEachSessionOnItsOwnAndKeyByOrganisationToo() {
    SeqFence fence = new SeqFence(100);
    fence.admit(event(MINE, 1));
    fence.admit(event(MINE, 2));

    assertThat(fence.admit(event(SAME_ID_OTHER_ORG, 1))).isPresent();
    assertThat(fence.admit(event(OTHER, 1))).isPresent();
    assertThat(fence.admit(event(MINE, 2))).isEmpty();
  }

  @Test
  void shouldStartFromWhatALookBehindObserved() {
    SeqFence fence = new SeqFence(100);
    fence.observe(MINE, 8);

    assertThat(seqsPassed(fence, List.of(event(MINE, 6), batch(MINE, 7, 9), event(MINE, 10))))
        .isEqualTo(range(9, 10));
  }

  @Test
  void shouldForgetTheLeastRecentlySeenSessionBeyondItsBound() {
    SeqFence fence = new SeqFence(2);
    fence.admit(event(MINE, 5));
    fence.admit(event(OTHER, 5));
    // MINE is seen again, so OTHER is now the least recently seen.
    fence.admit(event(MINE, 6));
    fence.admit(event(SAME_ID_OTHER_ORG, 5));

    assertThat(fence.size()).isEqualTo(2);
    assertThat(fence.admit(event(MINE, 6))).isEmpty();
    assertThat(fence.admit(event(OTHER, 5))).isPresent();
  }

  @Test
  void shouldPassOnEventsWithoutSeq() {
    SeqFence fence = new SeqFence(100);
    fence.admit(event(MINE, 3));

    assertThat(fence.admit(event(MINE, 0))).isPresent();
  }

  private static List<Long> seqsPassed(SeqFence fence, List<FeedRecord> log) {
    List<Long> seqs = new ArrayList<>();
    for (FeedRecord record : log) {
      fence.admit(record).ifPresent(r -> r.events().forEach(e -> seqs.add(e.seq())));
    }
    return seqs;
  }

  private FeedRecord event(SessionRef session, long seq) {
    return new FeedRecord(0, offset++, session, false, List.of(item(seq)));
  }

  private FeedRecord batch(SessionRef session, long from, long to) {
    return new FeedRecord(
        0,
        offset++,
        session,
        true,
        LongStream.rangeClosed(from, to).mapToObj(s -> item(s)).toList());
  }

  private static FeedRecord.Item item(long seq) {
    return new FeedRecord.Item("log", seq, Instant.EPOCH, "{\"seq\":" + seq + "}");
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }
}
