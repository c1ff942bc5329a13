package dev.agentfeed.gateway;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.LiveBatch;
import dev.agentfeed.model.LiveRecord;
import dev.agentfeed.testing.KafkaTestBroker;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * Writes {@code feed.live} as the stream processor does under exactly_once_v2 when a transaction
 * fails: a transaction whose records are in the log (and read by {@code read_uncommitted}
 * consumers) before it aborts, then the re-run that commits the same events with the same seqs,
 * possibly cut into records differently. Key sessionId; values are tier-1 envelopes or batches.
 */
final class ReemittingProcessor implements AutoCloseable {

  private final EventCodec codec = new EventCodec();
  private final Producer<String, byte[]> producer;
  private final String topic;

  ReemittingProcessor(EmbeddedKafkaBroker broker, String topic) {
    this.topic = topic;
    this.producer =
        KafkaTestBroker.transactionalProducer(
            broker,
            "test-reemitting-processor-" + UUID.randomUUID(),
            Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
    producer.initTransactions();
  }

  /** Writes the records in one transaction and returns once it is committed. */
  void commit(List<LiveRecord> records) {
    begin(records);
    producer.commitTransaction();
  }

  /**
   * Writes the records in a transaction and leaves it open: they are in the log, so a {@code
   * read_uncommitted} reader gets them, until {@link #abort()}.
   */
  void begin(List<LiveRecord> records) {
    producer.beginTransaction();
    for (LiveRecord record : records) {
      byte[] value =
          record instanceof LiveBatch batch
              ? codec.toBytes(batch)
              : codec.toBytes((EventEnvelope) record);
      producer.send(new ProducerRecord<>(topic, record.sessionId(), value));
    }
    producer.flush();
  }

  /** Aborts the open transaction, as a crash or a fencing of the processor does. */
  void abort() {
    producer.abortTransaction();
  }

  @Override
  public void close() {
    producer.close();
  }
}
