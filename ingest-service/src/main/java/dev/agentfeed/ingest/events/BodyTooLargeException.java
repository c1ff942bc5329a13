package dev.agentfeed.ingest.events;

/**
 * The request body went past the configured limit while it was being read. Unchecked so that it
 * passes through the JSON parser unchanged.
 */
final class BodyTooLargeException extends RuntimeException {

  private final long limit;

  BodyTooLargeException(long limit) {
    super("the body is larger than " + limit + " bytes", null, false, false);
    this.limit = limit;
  }

  long limit() {
    return limit;
  }
}
