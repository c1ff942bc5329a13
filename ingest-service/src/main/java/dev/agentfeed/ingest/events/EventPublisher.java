package dev.agentfeed.ingest.events;

import dev.agentfeed.ingest.IngestProperties;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Writes accepted events to {@code events.raw}: key = the event's sessionId (a session's events
 * stay in order on one partition), value = the envelope as {@link EventCodec} bytes, record
 * timestamp = {@code receivedAt}. A request's sends are one {@link Delivery}, whose
 * acknowledgements the request waits for before it answers.
 */
@Component
final class EventPublisher {

  private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

  /** Completed sends are dropped from a long stream's list from this size on. */
  private static final int PRUNE_AT = 1024;

  private final KafkaTemplate<String, byte[]> template;
  private final String topic;
  private final EventCodec codec;
  private final StoredEventIds stored;
  private final IngestMetrics metrics;
  private final Duration timeout;
  private final Duration retryAfter;

  EventPublisher(
      KafkaTemplate<String, byte[]> template,
      Topics topics,
      EventCodec codec,
      StoredEventIds stored,
      IngestMetrics metrics,
      IngestProperties properties) {
    this.template = template;
    this.topic = topics.raw();
    this.codec = codec;
    this.stored = stored;
    this.metrics = metrics;
    this.timeout = properties.kafkaTimeout();
    this.retryAfter = properties.retryAfter();
  }

  /** Starts the sends of one request. */
  Delivery delivery() {
    return new Delivery();
  }

  /** The sends of one request, used by that request's thread only. */
  final class Delivery {

    private final List<CompletableFuture<?>> pending = new ArrayList<>();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private volatile Throwable failure;

    /**
     * Sends one event without waiting for Kafka.
     *
     * @throws ErrorResponseException 503 when the producer cannot take it (no metadata or buffer
     *     space within the timeout)
     */
    void send(EventEnvelope event) {
      CompletableFuture<?> sent;
      try {
        sent =
            template.send(
                new ProducerRecord<>(
                    topic,
                    null,
                    event.receivedAt().toEpochMilli(),
                    event.sessionId(),
                    codec.toBytes(event)));
      } catch (KafkaException | org.apache.kafka.common.KafkaException e) {
        throw unavailable(e);
      }
      if (pending.size() >= PRUNE_AT) {
        pending.removeIf(CompletableFuture::isDone);
      }
      // The dependent stage is kept, not the send: it completes only after the id is recorded.
      pending.add(
          sent.whenComplete(
              (result, error) -> {
                if (error == null) {
                  stored.add(event);
                  acknowledged.incrementAndGet();
                  metrics.accepted();
                } else {
                  failure = error;
                }
              }));
    }

    /** Whether a send has failed already, so that a stream can stop reading early. */
    boolean failed() {
      return failure != null;
    }

    /**
     * Waits until Kafka has acknowledged every send.
     *
     * @throws ErrorResponseException 503 when a send failed or is not acknowledged within the
     *     timeout
     */
    void awaitAcknowledgements() {
      // A deadline on the monotonic clock: the injected Clock tells event time, not elapsed time.
      long deadline = System.nanoTime() + timeout.toNanos();
      for (CompletableFuture<?> send : pending) {
        try {
          send.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
          throw unavailable(e.getCause());
        } catch (TimeoutException e) {
          throw unavailable(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw unavailable(e);
        }
      }
    }

    /** How many sends Kafka has acknowledged so far. */
    int acknowledged() {
      return acknowledged.get();
    }
  }

  private ErrorResponseException unavailable(Throwable cause) {
    log.warn(
        "Kafka did not take or acknowledge events for topic {} within {}; answering 503: {}",
        topic,
        timeout,
        String.valueOf(cause));
    return EventProblems.kafkaUnavailable(timeout, retryAfter, cause);
  }
}
