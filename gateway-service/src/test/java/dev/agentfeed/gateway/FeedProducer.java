package dev.agentfeed.gateway;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.LiveBatch;
import dev.agentfeed.model.Tier;
import dev.agentfeed.model.Topics;
import dev.agentfeed.testing.KafkaTestBroker;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes {@code feed.live} (and {@code sessions.stats}, {@code events.enriched}) the way the stream
 * processor does: key sessionId, envelopes with seq and tier, batches of tier-2 events, in
 * transactions (so the gateway's consumers meet transaction markers too).
 */
final class FeedProducer implements AutoCloseable {

  static final Instant TS = Instant.parse("2026-01-30T12:00:00.123Z");

  private final EventCodec codec = new EventCodec();
  private final Producer<String, byte[]> producer;
  private final String topic;

  FeedProducer(EmbeddedKafkaBroker broker, String topic) {
    this.topic = topic;
    this.producer =
        KafkaTestBroker.transactionalProducer(
            broker,
            "test-processor-" + UUID.randomUUID(),
            Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                4 * 1024 * 1024,
                ProducerConfig.LINGER_MS_CONFIG,
                0));
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

  /** An event of the given type as the processor emits it. */
  EventEnvelope event(String org, String session, long seq, EventType type) {
    EventEnvelope log = event(org, session, seq, 0);
    return new EventEnvelope(
        log.id(),
        type,
        org,
        session,
        log.agentId(),
        log.source(),
        log.ts(),
        log.data(),
        log.receivedAt(),
        seq,
        type.defaultTier().number());
  }

  /** Writes the events in one transaction and returns when it is committed. */
  void send(List<EventEnvelope> events) {
    producer.beginTransaction();
    for (EventEnvelope event : events) {
      producer.send(new ProducerRecord<>(topic, event.sessionId(), codec.toBytes(event)));
    }
    producer.commitTransaction();
  }

  /** Writes one batch record of a session's tier-2 events, as the processor does. */
  void sendBatch(List<EventEnvelope> events) {
    LiveBatch batch = LiveBatch.of(events);
    send(topic, batch.sessionId(), codec.toBytes(batch), null);
  }

  /** Writes the events with the given record timestamp. */
  void sendAt(List<EventEnvelope> events, Instant timestamp) {
    producer.beginTransaction();
    for (EventEnvelope event : events) {
      producer.send(
          new ProducerRecord<>(
              topic, null, timestamp.toEpochMilli(), event.sessionId(), codec.toBytes(event)));
    }
    producer.commitTransaction();
  }

  /** Writes one record to any topic, in its own transaction. */
  void send(String toTopic, String key, byte[] value, Instant timestamp) {
    producer.beginTransaction();
    producer.send(
        new ProducerRecord<>(
            toTopic, null, timestamp == null ? null : timestamp.toEpochMilli(), key, value));
    producer.commitTransaction();
  }

  /** The session's stats document, as the processor writes it to sessions.stats. */
  void sendStats(String org, String session, String status, Instant firstRecordAt, Instant lastTs) {
    ObjectNode stats = codec.mapper().createObjectNode();
    stats.put("orgId", org);
    stats.put("sessionId", session);
    stats.put("agentId", "executor");
    stats.put("status", status);
    stats.put("firstTs", TS.toString());
    stats.put("lastTs", lastTs.toString());
    stats.put("firstRecordAt", firstRecordAt.toString());
    stats.put("lastSeq", 3);
    stats.put("events", 3);
    send(
        Topics.withDefaultPrefix().sessionsStats(),
        org + "/" + session,
        codec.mapper().writeValueAsBytes(stats),
        null);
  }

  /** Writes the events to events.enriched as the processor does (key sessionId). */
  void sendEnriched(List<EventEnvelope> events) {
    producer.beginTransaction();
    for (EventEnvelope event : events) {
      producer.send(
          new ProducerRecord<>(
              Topics.withDefaultPrefix().enriched(), event.sessionId(), codec.toBytes(event)));
    }
    producer.commitTransaction();
  }

  @Override
  public void close() {
    producer.close();
  }
}
