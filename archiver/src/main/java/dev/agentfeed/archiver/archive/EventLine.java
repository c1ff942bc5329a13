package dev.agentfeed.archiver.archive;

import java.time.Instant;

/**
 * One event as it goes into an object: its seq, what the manifest needs from it, and its JSON line
 * (without the line break) exactly as it was read.
 *
 * @param ts the event's {@code ts}; null when it has none
 * @param agentId the event's agent, or null
 */
record EventLine(long seq, Instant ts, String agentId, byte[] line) {

  static EventLine of(BufferedEvent event) {
    return new EventLine(event.seq(), event.ts(), event.agentId(), event.line());
  }
}
