package dev.agentfeed.archiver.archive;

import dev.agentfeed.model.EventType;
import java.time.Instant;

/**
 * One event held until its session is archived: the few fields the archiver decides by, and the
 * JSON line that goes into the replay. Holding the line rather than the parsed tree keeps memory
 * close to the event's wire size.
 *
 * @param offset where the event was read in its partition
 * @param line the event's JSON, without a line break
 */
record BufferedEvent(
    long offset, long seq, Instant ts, EventType type, String agentId, byte[] line) {

  /** A rough per-event cost of the record and the map entry holding it, beyond the line. */
  private static final int OVERHEAD_BYTES = 128;

  long sizeBytes() {
    return (long) line.length + OVERHEAD_BYTES;
  }
}
