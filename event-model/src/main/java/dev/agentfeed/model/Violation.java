package dev.agentfeed.model;

/** One problem with an event: the JSON path of the field and what is wrong with it. */
public record Violation(String path, String message) {

  /** {@code data.toolName: must not be blank}. */
  @Override
  public String toString() {
    return path + ": " + message;
  }
}
