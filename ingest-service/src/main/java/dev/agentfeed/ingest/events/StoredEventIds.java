package dev.agentfeed.ingest.events;

import dev.agentfeed.ingest.IngestProperties;
import dev.agentfeed.model.EventEnvelope;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The ids of events this instance recently stored (Kafka acknowledged them), so that a retried
 * request is answered with {@code duplicates} without sending the events again. Bounded (least
 * recently used ids are forgotten) and local to the instance: the stream processor's dedupe is the
 * guarantee, this is an optimisation that also makes the answer truthful. An id is only added once
 * its send was acknowledged, so nothing is ever reported as a duplicate that is not stored.
 */
@Component
final class StoredEventIds {

  /** An event's identity: ids are only unique within a session of an org. */
  record Key(String orgId, String sessionId, String eventId) {

    static Key of(EventEnvelope event) {
      return new Key(event.orgId(), event.sessionId(), event.id());
    }
  }

  private final int capacity;
  private final Map<Key, Boolean> recent;

  StoredEventIds(IngestProperties properties) {
    this.capacity = properties.dedupeCacheSize();
    this.recent =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  synchronized void add(EventEnvelope event) {
    if (capacity > 0) {
      recent.put(Key.of(event), Boolean.TRUE);
    }
  }

  synchronized boolean contains(EventEnvelope event) {
    return recent.get(Key.of(event)) != null;
  }
}
