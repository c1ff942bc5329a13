package dev.agentfeed.cli.forward;

/** Forwarding cannot go on: ingest refused events for good or did not answer in time. */
public final class ForwardException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  ForwardException(String message) {
    super(message);
  }
}
