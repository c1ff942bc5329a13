package dev.agentfeed.processor.assembly;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.processor.streams.StoreKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps the chunks of the messages a task is streaming and puts the whole text into the message's
 * {@code message.completed} (or a thinking block's {@code thinking.completed}, whose chunks come as
 * {@code message.chunk} with the thinking id as {@code messageId}). Chunks still flow on at once;
 * only the completing event changes. A message whose chunks stop for the assembly timeout without a
 * completion is dropped with a warning, by a wall-clock punctuator: nothing is emitted for it, so
 * no event appears that the agent did not send and every session's seq stays gap-free.
 */
final class MessageAssemblyProcessor
    implements FixedKeyProcessor<String, EventEnvelope, EventEnvelope> {

  private static final Logger log = LoggerFactory.getLogger(MessageAssemblyProcessor.class);

  /** Kafka Streams metric group {@code stream-agentfeed-assembly-metrics}. */
  static final String METRICS_SCOPE = "agentfeed-assembly";

  static final String MESSAGES_EXPIRED = "messages-expired";

  /** At most this many missing indexes are listed; {@code missingChunkCount} has them all. */
  static final int MAX_MISSING_LISTED = 100;

  private final Duration timeout;

  private FixedKeyProcessorContext<String, EventEnvelope> context;
  private KeyValueStore<String, ChunkPart> chunks;
  private KeyValueStore<String, Long> lastChunkAt;
  private Sensor messagesExpired;
  private Cancellable expiry;

  MessageAssemblyProcessor(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, EventEnvelope> context) {
    this.context = context;
    this.chunks = context.getStateStore(MessageAssemblyTopology.CHUNK_STORE);
    this.lastChunkAt = context.getStateStore(MessageAssemblyTopology.ACTIVITY_STORE);
    this.messagesExpired =
        context
            .metrics()
            .addRateTotalSensor(
                METRICS_SCOPE,
                context.taskId().toString(),
                MESSAGES_EXPIRED,
                Sensor.RecordingLevel.INFO);
    Duration interval = timeout.dividedBy(2);
    this.expiry =
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::dropExpiredMessages);
  }

  @Override
  public void process(FixedKeyRecord<String, EventEnvelope> record) {
    EventEnvelope event = record.value();
    JsonNode data = event.data();
    if (event.type() == EventType.MESSAGE_CHUNK
        && data.path("messageId").isString()
        && data.path("chunkIndex").canConvertToInt()
        && data.path("chunkIndex").asInt() >= 0) {
      keep(event, data);
    } else if (event.type() == EventType.MESSAGE_COMPLETED && data.path("messageId").isString()) {
      event = assembled(event, data.get("messageId").asString());
    } else if (event.type() == EventType.THINKING_COMPLETED && data.path("thinkingId").isString()) {
      event = assembled(event, data.get("thinkingId").asString());
    }
    context.forward(record.withValue(event));
  }

  @Override
  public void close() {
    expiry.cancel();
    context.metrics().removeSensor(messagesExpired);
  }

  private void keep(EventEnvelope event, JsonNode data) {
    int index = data.get("chunkIndex").asInt();
    String message = messagePrefix(event, data.get("messageId").asString());
    chunks.put(chunkKey(message, index), new ChunkPart(index, data.path("text").asString("")));
    lastChunkAt.put(message, context.currentSystemTimeMs());
  }

  /**
   * The completing event with {@code text} (unless the agent sent it), {@code chunksAssembled} and
   * {@code missingChunks}: the indexes below the highest seen (or below {@code chunkCount}) that
   * never came. A completion without kept chunks passes unchanged.
   */
  private EventEnvelope assembled(EventEnvelope event, String messageId) {
    String message = messagePrefix(event, messageId);
    List<KeyValue<String, ChunkPart>> parts = new ArrayList<>();
    try (KeyValueIterator<String, ChunkPart> kept =
        chunks.prefixScan(message, new StringSerializer())) {
      kept.forEachRemaining(parts::add);
    }
    lastChunkAt.delete(message);
    if (parts.isEmpty()) {
      return event;
    }
    StringBuilder text = new StringBuilder();
    int expected = event.data().path("chunkCount").asInt(0);
    Set<Integer> present = new HashSet<>();
    for (KeyValue<String, ChunkPart> part : parts) {
      text.append(part.value.text());
      expected = Math.max(expected, part.value.index() + 1);
      present.add(part.value.index());
      chunks.delete(part.key);
    }
    ObjectNode data = event.data().deepCopy();
    if (!data.path("text").isString()) {
      data.put("text", text.toString());
    }
    data.put("chunksAssembled", parts.size());
    // Listed up to a bound: a wild chunkIndex must not make a huge record.
    ArrayNode missing = data.putArray("missingChunks");
    for (int i = 0; i < expected && missing.size() < MAX_MISSING_LISTED; i++) {
      if (!present.contains(i)) {
        missing.add(i);
      }
    }
    data.put("missingChunkCount", expected - present.size());
    return event.withData(data);
  }

  /** Reads one entry per open message; only the expired ones' chunks are touched. */
  private void dropExpiredMessages(long now) {
    long cutoff = now - timeout.toMillis();
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, Long> open = lastChunkAt.all()) {
      open.forEachRemaining(
          entry -> {
            if (entry.value <= cutoff) {
              expired.add(entry.key);
            }
          });
    }
    expired.forEach(this::dropMessage);
  }

  private void dropMessage(String message) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, ChunkPart> kept =
        chunks.prefixScan(message, new StringSerializer())) {
      kept.forEachRemaining(entry -> keys.add(entry.key));
    }
    keys.forEach(chunks::delete);
    lastChunkAt.delete(message);
    messagesExpired.record();
    log.warn(
        "Dropping {} chunks of message {} (orgId/sessionId/length:messageId): no chunk and no"
            + " completion for {}",
        keys.size(),
        message.substring(0, message.length() - 1),
        timeout);
  }

  /**
   * {@code orgId/sessionId/<length>:<messageId>#}: org and session ids hold no {@code /}, and the
   * length makes a message id that contains {@code #} or digits unambiguous.
   */
  private static String messagePrefix(EventEnvelope event, String messageId) {
    return event.session().key() + "/" + messageId.length() + ":" + messageId + "#";
  }

  /** Zero-padded so that the store's byte order is the chunk order. */
  private static String chunkKey(String messagePrefix, int index) {
    return messagePrefix + StoreKeys.zeroPadded(index, 10);
  }
}
