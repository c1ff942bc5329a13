package dev.agentfeed.gateway.detail;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bytes of recently served details, least recently used evicted first, within a byte budget: a
 * dashboard that expands the same card again (or several viewers of one session) reads nothing from
 * Kafka. Details never change, so nothing is ever stale.
 */
final class DetailCache {

  private final long maxBytes;
  private final LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>(256, 0.75f, true);
  private long bytes;

  DetailCache(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  synchronized byte[] get(String key) {
    return entries.get(key);
  }

  synchronized void put(String key, byte[] value) {
    if (value.length > maxBytes / 4) {
      // One huge detail would flush everything else out.
      return;
    }
    byte[] previous = entries.put(key, value);
    bytes += value.length - (previous == null ? 0 : previous.length);
    Iterator<Map.Entry<String, byte[]>> eldest = entries.entrySet().iterator();
    while (bytes > maxBytes && eldest.hasNext()) {
      bytes -= eldest.next().getValue().length;
      eldest.remove();
    }
  }
}
