package dev.agentfeed.gateway.feed;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition a session's records are in: the Kafka producer's default partitioner for a String
 * key, which is how the stream processor writes {@code feed.live} (key = sessionId).
 */
public final class SessionPartitioner {

  private SessionPartitioner() {}

  public static int partitionOf(String sessionId, int partitions) {
    byte[] key = sessionId.getBytes(StandardCharsets.UTF_8);
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }
}
