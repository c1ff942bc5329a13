package dev.agentfeed.client;

/**
 * The client's buffer stayed full for the whole offer timeout: ingest is not taking events as fast
 * as they are produced (it is down, or answering 429). The event was not buffered; the caller
 * decides whether to drop it, retry later or stop its agent.
 */
public final class BufferFullException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  BufferFullException(String message) {
    super(message);
  }
}
