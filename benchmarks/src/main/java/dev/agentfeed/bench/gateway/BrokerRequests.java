package dev.agentfeed.bench.gateway;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The requests a broker in this JVM ({@code --embedded-kafka}) has handled so far, by type, from
 * its own request metrics: how often the writer produced and the gateway fetched, which is most of
 * the broker's work. Empty when the broker runs elsewhere.
 */
final class BrokerRequests {

  private static final String PATTERN = "kafka.network:type=RequestMetrics,name=RequestsPerSec,*";

  private BrokerRequests() {}

  /** Requests handled so far by request type (e.g. Produce, FetchConsumer, Metadata). */
  static Map<String, Long> read() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    Map<String, Long> counts = new TreeMap<>();
    try {
      for (ObjectName name : server.queryNames(new ObjectName(PATTERN), null)) {
        String request = name.getKeyProperty("request");
        Object count = server.getAttribute(name, "Count");
        if (request != null && count instanceof Number number) {
          counts.merge(request, number.longValue(), Long::sum);
        }
      }
    } catch (JMException e) {
      // The metrics changed shape: report nothing rather than something wrong.
      return Map.of();
    }
    return counts;
  }

  /** {@code after - before} per request type, dropping the types that saw no requests. */
  static Map<String, Long> since(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> delta = new TreeMap<>();
    after.forEach(
        (request, count) -> {
          long n = count - before.getOrDefault(request, 0L);
          if (n > 0) {
            delta.put(request, n);
          }
        });
    return delta;
  }
}
