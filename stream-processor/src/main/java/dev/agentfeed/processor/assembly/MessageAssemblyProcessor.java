package dev.agentfeed.processor.assembly;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.processor.streams.StoreKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.metrics.Sensor;
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
 *
 * <p>A message's chunks are one entry of {@code open-messages-store}, written behind: however many
 * chunks arrive between two commits, the entry reaches RocksDB and the changelog once, and a
 * message completed within one commit interval never does. Once its open chunks reach {@link
 * #SEAL_CHARS} characters or {@link #SEAL_PARTS} chunks they are sealed into a block of {@code
 * message-blocks-store}, so that what a commit rewrites for a long message stays small.
 */
final class MessageAssemblyProcessor
    implements FixedKeyProcessor<String, EventEnvelope, EventEnvelope> {

  private static final Logger log = LoggerFactory.getLogger(MessageAssemblyProcessor.class);

  /** Kafka Streams metric group {@code stream-agentfeed-assembly-metrics}. */
  static final String METRICS_SCOPE = "agentfeed-assembly";

  static final String MESSAGES_EXPIRED = "messages-expired";

  /** At most this many missing indexes are listed; {@code missingChunkCount} has them all. */
  static final int MAX_MISSING_LISTED = 100;

  /** Open chunks of this many characters in all are sealed into a block. */
  static final int SEAL_CHARS = 4096;

  /** So many open chunks are sealed into a block, however short. */
  static final int SEAL_PARTS = 128;

  private final Duration timeout;

  private FixedKeyProcessorContext<String, EventEnvelope> context;
  private KeyValueStore<String, OpenMessage> openMessages;
  private KeyValueStore<String, ChunkBlock> blocks;
  private Sensor messagesExpired;
  private Cancellable expiry;

  MessageAssemblyProcessor(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, EventEnvelope> context) {
    this.context = context;
    this.openMessages = context.getStateStore(MessageAssemblyTopology.OPEN_MESSAGES_STORE);
    this.blocks = context.getStateStore(MessageAssemblyTopology.BLOCKS_STORE);
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
    String message = messageKey(event, data.get("messageId").asString());
    ChunkPart part = new ChunkPart(data.get("chunkIndex").asInt(), data.path("text").asString(""));
    long now = context.currentSystemTimeMs();
    OpenMessage open = openMessages.get(message);
    open = open == null ? OpenMessage.first(now, part) : open.with(now, part);
    if (open.openChars() >= SEAL_CHARS || open.parts().size() >= SEAL_PARTS) {
      blocks.put(blockKey(message, open.sealedBlocks()), new ChunkBlock(open.parts()));
      open = open.sealed();
    }
    openMessages.put(message, open);
  }

  /**
   * The completing event with {@code text} (unless the agent sent it), {@code chunksAssembled} and
   * {@code missingChunks}: the indexes below the highest seen (or below {@code chunkCount}) that
   * never came. A chunk index sent twice counts once, with the text that came last. A completion
   * without kept chunks passes unchanged.
   */
  private EventEnvelope assembled(EventEnvelope event, String messageId) {
    String message = messageKey(event, messageId);
    OpenMessage open = openMessages.delete(message);
    if (open == null) {
      return event;
    }
    SortedMap<Integer, String> texts = new TreeMap<>();
    for (int block = 0; block < open.sealedBlocks(); block++) {
      ChunkBlock sealed = blocks.delete(blockKey(message, block));
      if (sealed != null) {
        sealed.parts().forEach(part -> texts.put(part.index(), part.text()));
      }
    }
    open.parts().forEach(part -> texts.put(part.index(), part.text()));
    if (texts.isEmpty()) {
      return event;
    }

    int expected = Math.max(event.data().path("chunkCount").asInt(0), texts.lastKey() + 1);
    ObjectNode data = event.data().deepCopy();
    if (!data.path("text").isString()) {
      data.put("text", String.join("", texts.values()));
    }
    data.put("chunksAssembled", texts.size());
    // Listed up to a bound: a wild chunkIndex must not make a huge record.
    ArrayNode missing = data.putArray("missingChunks");
    for (int i = 0; i < expected && missing.size() < MAX_MISSING_LISTED; i++) {
      if (!texts.containsKey(i)) {
        missing.add(i);
      }
    }
    data.put("missingChunkCount", expected - texts.size());
    return event.withData(data);
  }

  /** Reads the open messages (their latest chunks, never the sealed blocks). */
  private void dropExpiredMessages(long now) {
    long cutoff = now - timeout.toMillis();
    List<KeyValue<String, OpenMessage>> expired = new ArrayList<>();
    try (KeyValueIterator<String, OpenMessage> open = openMessages.all()) {
      open.forEachRemaining(
          entry -> {
            if (entry.value.lastChunkAt() <= cutoff) {
              expired.add(entry);
            }
          });
    }
    expired.forEach(entry -> dropMessage(entry.key, entry.value));
  }

  private void dropMessage(String message, OpenMessage open) {
    int chunks = open.parts().size();
    for (int block = 0; block < open.sealedBlocks(); block++) {
      ChunkBlock sealed = blocks.delete(blockKey(message, block));
      chunks += sealed == null ? 0 : sealed.parts().size();
    }
    openMessages.delete(message);
    messagesExpired.record();
    log.warn(
        "Dropping {} chunks of message {} (orgId/sessionId/length:messageId): no chunk and no"
            + " completion for {}",
        chunks,
        message,
        timeout);
  }

  /**
   * {@code orgId/sessionId/<length>:<messageId>}: org and session ids hold no {@code /}, and the
   * length makes a message id that contains {@code #} or digits unambiguous.
   */
  private static String messageKey(EventEnvelope event, String messageId) {
    return event.session().key() + "/" + messageId.length() + ":" + messageId;
  }

  /** {@code <message key>#<block number, 10 digits>}. */
  private static String blockKey(String messageKey, int block) {
    return messageKey + "#" + StoreKeys.zeroPadded(block, 10);
  }
}
