package dev.agentfeed.archiver.archive;

import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Told each time the archiver is about to change or has changed S3 (on the upload thread doing it)
 * or has committed offsets (on the poll thread): a hook for metrics and for fault tests, which stop
 * the process at exactly these points. Implementations must be thread-safe. The default does
 * nothing; a bean of this type replaces it.
 */
interface ArchiveListener {

  ArchiveListener NONE = new ArchiveListener() {};

  /** An object is about to be written. */
  default void writing(String key) {}

  /** An object was written (a segment, a replay, a manifest). */
  default void written(String key) {}

  /** A segment merged into a replay or a later segment was deleted. */
  default void deleted(String key) {}

  /** These offsets were committed. */
  default void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {}
}
