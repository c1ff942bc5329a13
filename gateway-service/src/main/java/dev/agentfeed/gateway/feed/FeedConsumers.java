package dev.agentfeed.gateway.feed;

import dev.agentfeed.gateway.GatewayProperties;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

/**
 * Creates the gateway's Kafka consumers from {@code spring.kafka.*}. They are assign-based: no
 * group, no commits, since every gateway instance reads every partition and keeps no position
 * across restarts. Those of {@code feed.live} ({@link #createFeed}) read {@code read_uncommitted}:
 * a {@code read_committed} reader sees the stream processor's records only when its exactly-once
 * transaction commits (every commit interval), which would bound the dashboards' latency below by
 * that interval; what an aborted transaction wrote is re-emitted, with the same seqs, by its
 * re-run, and {@link SeqFence} drops the events already passed on. Every other topic ({@code
 * events.enriched}, {@code sessions.stats}) is read {@code read_committed} ({@link #create}).
 *
 * <p>The readers of {@code feed.live} also ask the broker to gather records before it answers a
 * fetch ({@code agentfeed.gateway.feed-fetch-min-bytes}, 16 KB) but never to hold a fetch longer
 * than {@code agentfeed.gateway.feed-fetch-max-wait} (5 ms), which bounds what it adds to a
 * record's latency. Kafka's defaults (1 byte, 500 ms) answer every fetch as soon as one record is
 * there: at 10,000 records/s that is a fetch round trip, on the broker and in the gateway, per
 * handful of records. With the bound, a busy feed is fetched in 16 KB pieces (about 25 records of
 * ~650 bytes, every 2.5 ms at 10,000 records/s) and a quiet one waits at most 5 ms.
 */
public final class FeedConsumers {

  private final Map<String, Object> base;
  private final Map<String, Object> feed;
  private final String instance = UUID.randomUUID().toString().substring(0, 8);

  public FeedConsumers(KafkaProperties kafka, GatewayProperties properties) {
    Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.base = Map.copyOf(config);
    this.feed =
        Map.of(
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_uncommitted",
            ConsumerConfig.FETCH_MIN_BYTES_CONFIG,
            (int) properties.feedFetchMinBytes().toBytes(),
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
            (int) properties.feedFetchMaxWait().toMillis());
  }

  /**
   * A new consumer; {@code purpose} names it in the broker's and the client's logs. With {@code
   * failOnMissingOffsets} a read from an offset that retention has deleted throws instead of
   * silently jumping ahead, which a replay must report rather than hide.
   */
  public Consumer<byte[], byte[]> create(String purpose, boolean failOnMissingOffsets) {
    return create(purpose, failOnMissingOffsets, Map.of());
  }

  /**
   * A consumer of {@code feed.live}: as {@link #create(String, boolean)}, but {@code
   * read_uncommitted}, so that records arrive as the processor writes them, not when its
   * transaction commits, and with the fetch bound above. Whatever reads with it must pass the
   * records through a {@link SeqFence}.
   */
  public Consumer<byte[], byte[]> createFeed(String purpose, boolean failOnMissingOffsets) {
    return create(purpose, failOnMissingOffsets, feed);
  }

  /** As {@link #create(String, boolean)}, with consumer settings of its own on top. */
  public Consumer<byte[], byte[]> create(
      String purpose, boolean failOnMissingOffsets, Map<String, Object> overrides) {
    Map<String, Object> config = new HashMap<>(base);
    config.putAll(overrides);
    if (failOnMissingOffsets) {
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    }
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "agentfeed-gateway-" + instance + "-" + purpose);
    return new KafkaConsumer<>(config);
  }
}
