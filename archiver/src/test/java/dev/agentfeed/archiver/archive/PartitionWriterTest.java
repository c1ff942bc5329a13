package dev.agentfeed.archiver.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.archiver.testing.TestSessions;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.SessionRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionWriterTest {

  private static final EventCodec CODEC = new EventCodec();
  private static final Instant START = Instant.parse("2026-01-30T12:00:00Z");
  private static final Duration IDLE = Duration.ofMinutes(5);

  private final PartitionWriter writer =
      new PartitionWriter(
          new TopicPartition("t", 0),
          () -> new UploadBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)));
  private final SessionRef a = new SessionRef("org-1", "ses-a");
  private final SessionRef b = new SessionRef("org-1", "ses-b");

  static BufferedEvent buffered(EventEnvelope event, long offset) {
    return new BufferedEvent(
        offset, event.seq(), event.ts(), event.type(), event.agentId(), CODEC.toBytes(event));
  }

  private void add(long offset, SessionRef session, long seq) {
    writer.add(
        offset,
        session,
        buffered(TestSessions.work(session.orgId(), session.sessionId(), seq, START), offset),
        START);
  }

  private void addLast(long offset, SessionRef session, int count) {
    EventEnvelope last =
        TestSessions.completed(session.orgId(), session.sessionId(), count, START).get(count - 1);
    writer.add(offset, session, buffered(last, offset), START);
  }

  @Test
  void shouldCommitUpToTheFirstOffsetOfTheOldestSessionStillHeld() {
    add(10, a, 1);
    add(11, b, 1);
    add(12, a, 2);
    addLast(13, a, 3);

    assertThat(writer.committableOffset(14)).isEqualTo(10);
    writer.done(writer.workable().get(0));
    assertThat(writer.committableOffset(14)).isEqualTo(11);
  }

  @Test
  void shouldCommitThePositionWhenNothingIsHeld() {
    add(10, a, 1);
    addLast(11, a, 2);
    writer.done(writer.workable().get(0));

    assertThat(writer.committableOffset(12)).isEqualTo(12);
  }

  @Test
  void shouldKeepHoldingASessionWhoseEventsWentToASegment() {
    add(10, a, 1);
    add(11, a, 2);
    OpenSession session = writer.workable().get(0);

    session.segmentWritten();

    assertThat(List.of(writer.committableOffset(12), session.pending().bytes()))
        .isEqualTo(List.of(10L, 0L));
  }

  @Test
  void shouldFinishASessionWithTheStatusOfItsLastEvent() {
    add(10, a, 1);
    addLast(11, a, 2);
    add(12, b, 1);
    writer.add(
        13,
        b,
        buffered(
            new EventEnvelope(
                "f",
                EventType.SESSION_FAILED,
                "org-1",
                "ses-b",
                null,
                null,
                START,
                CODEC.mapper().createObjectNode().put("error", "boom"),
                null,
                2L,
                1),
            13),
        START);

    assertThat(writer.workable().stream().map(OpenSession::status).toList())
        .isEqualTo(List.of(SessionStatus.COMPLETED, SessionStatus.FAILED));
  }

  @Test
  void shouldFinishASessionAsIdleOnlyOnceTheIdleTimeoutHasPassed() {
    add(10, a, 1);

    writer.finishIdle(START.plus(IDLE).minusMillis(1), IDLE);
    assertThat(writer.finishedSessions()).isZero();

    writer.finishIdle(START.plus(IDLE), IDLE);
    assertThat(writer.workable().get(0).status()).isEqualTo(SessionStatus.IDLE);
  }

  @Test
  void shouldHoldEventsAfterTheEndInANewEntryThatWaitsForTheFinishedOne() {
    add(10, a, 1);
    addLast(11, a, 2);
    add(12, a, 3);

    OpenSession first = writer.workable().get(0);
    assertThat(writer.workable()).isEqualTo(List.of(first));
    List<Long> finished = seqs(first);
    writer.done(first);
    OpenSession late = writer.workable().get(0);
    assertThat(List.of(finished, seqs(late))).isEqualTo(List.of(List.of(1L, 2L), List.of(3L)));
  }

  @Test
  void shouldKeepTheFirstOfTwoEventsWithTheSameSeq() {
    add(10, a, 1);
    add(11, a, 2);
    add(12, a, 2);

    assertThat(seqs(writer.workable().get(0))).isEqualTo(List.of(1L, 2L));
  }

  @Test
  void shouldCountPendingBytesInMemoryUntilTheyAreSpilled() throws Exception {
    add(10, a, 1);
    addLast(11, a, 2);
    OpenSession session = writer.workable().get(0);
    long expected = session.pending().bytes();
    Path spool = Files.createTempDirectory("spool-test");

    assertThat(writer.memoryBytes()).isEqualTo(expected);
    session.pending().spill(spool);
    assertThat(List.of(writer.memoryBytes(), seqs(session)))
        .isEqualTo(List.of(0L, List.of(1L, 2L)));
    writer.done(session);
    try (var left = Files.list(spool)) {
      assertThat(left.toList()).isEmpty();
    }
  }

  private static List<Long> seqs(OpenSession session) {
    List<Long> seqs = new ArrayList<>();
    session.pending().read().forEachRemaining(e -> seqs.add(e.seq()));
    return seqs;
  }
}
