package dev.agentfeed.archiver.replay;

import com.fasterxml.jackson.annotation.JsonValue;

/** How an archived session ended, as written in its manifest. */
public enum SessionStatus {
  /** It ended with {@code session.completed}. */
  COMPLETED("completed"),
  /** It ended with {@code session.failed}. */
  FAILED("failed"),
  /** No event arrived for the idle timeout; the session may have more events later. */
  IDLE("idle");

  private final String wireName;

  SessionStatus(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }
}
