package dev.agentfeed.gateway;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.Tier;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes {@code feed.live} the way the stream processor does: key sessionId, envelopes with seq and
 * tier, in transactions (so the gateway's read_committed consumers meet transaction markers too).
 */
final class FeedProducer implements AutoCloseable {

  static final Instant TS = Instant.parse("2026-01-30T12:00:00.123Z");

  private final EventCodec codec = new EventCodec();
  private final Producer<String, byte[]> producer;
  private final String topic;

  FeedProducer(String bootstrapServers, String topic) {
    this.topic = topic;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "test-processor-" + UUID.randomUUID(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                4 * 1024 * 1024,
                ProducerConfig.LINGER_MS_CONFIG,
                0),
            new StringSerializer(),
            new ByteArraySerializer());
    producer.initTransactions();
  }

  /** An event as the processor emits it; {@code padding} characters make it as large as needed. */
  EventEnvelope event(String org, String session, long seq, int padding) {
    ObjectNode data = codec.mapper().createObjectNode();
    data.put("level", "info");
    data.put("message", "step " + seq + " " + "x".repeat(padding));
    return new EventEnvelope(
        org + "-" + session + "-" + seq,
        EventType.LOG,
        org,
        session,
        "executor",
        "sandbox/test",
        TS,
        data,
        TS.plusMillis(seq),
        seq,
        Tier.BATCHED.number());
  }

  List<EventEnvelope> events(String org, String session, long fromSeq, long toSeq) {
    return LongStream.rangeClosed(fromSeq, toSeq).mapToObj(s -> event(org, session, s, 0)).toList();
  }

  /** Writes the events in one transaction and returns when it is committed. */
  void send(List<EventEnvelope> events) {
    producer.beginTransaction();
    for (EventEnvelope event : events) {
      producer.send(new ProducerRecord<>(topic, event.sessionId(), codec.toBytes(event)));
    }
    producer.commitTransaction();
  }

  @Override
  public void close() {
    producer.close();
  }
}
