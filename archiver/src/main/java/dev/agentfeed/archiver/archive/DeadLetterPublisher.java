package dev.agentfeed.archiver.archive;

import dev.agentfeed.model.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes records of {@code events.enriched} that cannot be archived to {@code events.dlq} (key: the
 * record's key, the sessionId), with the reason and the record itself, and waits for the broker's
 * acknowledgement, so that the offset can be committed past them. The producer is created on the
 * first dead letter: a healthy pipeline never needs it.
 */
final class DeadLetterPublisher implements AutoCloseable {

  static final String STAGE = "archiver";
  private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);

  private final Supplier<Producer<String, byte[]>> producers;
  private final String topic;
  private final JsonMapper mapper;
  private final Clock clock;
  private final Duration timeout;
  private Producer<String, byte[]> producer;

  DeadLetterPublisher(
      Supplier<Producer<String, byte[]>> producers,
      String topic,
      JsonMapper mapper,
      Clock clock,
      Duration timeout) {
    this.producers = producers;
    this.topic = topic;
    this.mapper = mapper;
    this.clock = clock;
    this.timeout = timeout;
  }

  /**
   * @throws KafkaException when the dead letter is not acknowledged in time; the record must then
   *     be read again
   */
  void publish(ConsumerRecord<String, byte[]> record, String reason) {
    log.error(
        "Cannot archive record {}-{}@{} (key {}): {}; sending it to {}",
        record.topic(),
        record.partition(),
        record.offset(),
        record.key(),
        reason,
        topic);
    String value = null;
    String encoding = null;
    if (record.value() != null) {
      value = utf8(record.value());
      encoding = "utf-8";
      if (value == null) {
        value = Base64.getEncoder().encodeToString(record.value());
        encoding = "base64";
      }
    }
    DeadLetter letter =
        new DeadLetter(
            record.topic(),
            record.partition(),
            record.offset(),
            record.key(),
            reason,
            STAGE,
            value,
            encoding,
            clock.instant());
    try {
      producer()
          .send(new ProducerRecord<>(topic, record.key(), mapper.writeValueAsBytes(letter)))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while writing a dead letter to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("dead letter not acknowledged by " + topic, e);
    }
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close(timeout);
    }
  }

  private Producer<String, byte[]> producer() {
    if (producer == null) {
      producer = producers.get();
    }
    return producer;
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
