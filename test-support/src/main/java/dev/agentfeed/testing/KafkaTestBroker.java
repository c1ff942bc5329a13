package dev.agentfeed.testing;

import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real single-node KRaft broker in the test's JVM, configured so that transactions work on one
 * node (the stream processor runs exactly_once_v2) and consumer groups start without the usual
 * rebalance delay. Call {@link EmbeddedKafkaBroker#destroy()} when done.
 */
public final class KafkaTestBroker {

  private KafkaTestBroker() {}

  /** Starts a broker whose listed topics (if any) have {@code partitions} partitions. */
  public static EmbeddedKafkaBroker start(int partitions, String... topics) {
    EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, partitions, topics);
    broker.brokerProperties(
        Map.of(
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "group.initial.rebalance.delay.ms", "0"));
    broker.afterPropertiesSet();
    return broker;
  }
}
