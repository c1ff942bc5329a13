package dev.agentfeed.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Who may queue more: a connection's own bound, and the total once a connection is behind. */
class OutboundBudgetTest {

  private static final long PER_CONNECTION = 1_600;
  private static final long BEHIND = PER_CONNECTION / 16;

  private final OutboundBudget budget =
      new OutboundBudget(PER_CONNECTION, PER_CONNECTION / 2, 1_000);

  @Test
  void shouldRefuseAFrameThatTakesAConnectionPastItsOwnBound() {
    assertThat(budget.refusal(PER_CONNECTION - 10, 10)).isNull();
    assertThat(budget.refusal(PER_CONNECTION - 10, 11))
        .isEqualTo("fell behind by more than 1600 bytes");
  }

  @Test
  void shouldRefuseAConnectionThatIsBehindOnlyOnceAllTogetherHoldTheTotal() {
    budget.added(990);
    assertThat(budget.refusal(BEHIND + 1, 10)).isNull();

    budget.added(1);

    assertThat(budget.refusal(BEHIND + 1, 10))
        .isEqualTo("holds 101 bytes while all clients together hold the gateway's 1000 bytes");
    assertThat(budget.refusal(BEHIND, 10)).as("not behind: never refused").isNull();
  }

  @Test
  void shouldLetAReplayWaitWhenHalfFullOrBehindWhileTheTotalIsHeld() {
    assertThat(budget.replayWaits(PER_CONNECTION / 2)).isFalse();
    assertThat(budget.replayWaits(PER_CONNECTION / 2 + 1)).isTrue();
    budget.added(1_000);
    assertThat(budget.replayWaits(BEHIND)).isFalse();
    assertThat(budget.replayWaits(BEHIND + 1)).isTrue();
    budget.removed(1);
    assertThat(budget.replayWaits(BEHIND + 1)).isFalse();
    assertThat(budget.queued()).isEqualTo(999);
  }
}
