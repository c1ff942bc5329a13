package dev.agentfeed.archiver.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.archiver.testing.TestSessions;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.SessionRef;
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

  private final PartitionWriter writer = new PartitionWriter(new TopicPartition("t", 0));
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
    writer.archived(writer.nextFinished());
    assertThat(writer.committableOffset(14)).isEqualTo(11);
  }

  @Test
  void shouldCommitThePositionWhenNothingIsHeld() {
    add(10, a, 1);
    addLast(11, a, 2);
    writer.archived(writer.nextFinished());

    assertThat(writer.committableOffset(12)).isEqualTo(12);
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

    List<SessionStatus> statuses = new ArrayList<>();
    for (SessionBuffer next = writer.nextFinished(); next != null; next = writer.nextFinished()) {
      statuses.add(next.status());
      writer.archived(next);
    }
    assertThat(statuses).isEqualTo(List.of(SessionStatus.COMPLETED, SessionStatus.FAILED));
  }

  @Test
  void shouldFinishASessionAsIdleOnlyOnceTheIdleTimeoutHasPassed() {
    add(10, a, 1);

    writer.finishIdle(START.plus(IDLE).minusMillis(1), IDLE);
    assertThat(writer.nextFinished()).isNull();

    writer.finishIdle(START.plus(IDLE), IDLE);
    assertThat(writer.nextFinished().status()).isEqualTo(SessionStatus.IDLE);
  }

  @Test
  void shouldStartANewBufferForEventsThatArriveAfterTheSessionFinished() {
    add(10, a, 1);
    addLast(11, a, 2);
    add(12, a, 3);
    writer.finishIdle(START.plus(IDLE), IDLE);

    SessionBuffer first = writer.nextFinished();
    writer.archived(first);
    SessionBuffer late = writer.nextFinished();
    assertThat(List.of(seqs(first), seqs(late))).isEqualTo(List.of(List.of(1L, 2L), List.of(3L)));
  }

  @Test
  void shouldKeepTheFirstOfTwoEventsWithTheSameSeq() {
    add(10, a, 1);
    add(11, a, 2);
    add(12, a, 2);
    writer.finishIdle(START.plus(IDLE), IDLE);

    SessionBuffer buffer = writer.nextFinished();
    assertThat(buffer.events().stream().map(BufferedEvent::offset).toList())
        .isEqualTo(List.of(10L, 11L));
  }

  @Test
  void shouldCountBufferedBytesUntilTheSessionIsArchived() {
    add(10, a, 1);
    addLast(11, a, 2);
    SessionBuffer buffer = writer.nextFinished();
    long expected = buffer.events().stream().mapToLong(BufferedEvent::sizeBytes).sum();

    assertThat(writer.bytes()).isEqualTo(expected);
    writer.archived(buffer);
    assertThat(writer.bytes()).isZero();
  }

  private static List<Long> seqs(SessionBuffer buffer) {
    return buffer.events().stream().map(BufferedEvent::seq).toList();
  }
}
