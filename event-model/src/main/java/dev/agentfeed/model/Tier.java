package dev.agentfeed.model;

/** How urgently an event reaches dashboards; see DESIGN.md "Tiers". */
public enum Tier {
  /** Sent to {@code feed.live} at once. */
  IMMEDIATE(1),
  /** Held per session and sent as one batch when the batch window ends. */
  BATCHED(2);

  private final int number;

  Tier(int number) {
    this.number = number;
  }

  /** The number carried in the envelope's {@code tier} field. */
  public int number() {
    return number;
  }
}
