package dev.agentfeed.processor.sequencing;

/**
 * A raw record the pipeline cannot process without corrupting state: thrown before any store
 * changes, so that the processing exception handler sends the record to {@code events.dlq} (with
 * the message as the reason) and the task goes on with the next record.
 */
public final class UnprocessableEventException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UnprocessableEventException(String message) {
    super(message);
  }
}
