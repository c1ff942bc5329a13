package dev.agentfeed.processor.assembly;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.processor.ProcessorProperties;
import dev.agentfeed.processor.streams.JsonSerde;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Reads the sequenced events (key sessionId) and writes them on unchanged except {@code
 * message.completed} and {@code thinking.completed}, which get the whole text of their {@code
 * message.chunk}s in chunk order ({@code text}, {@code chunksAssembled}, {@code missingChunks}).
 * The key stays sessionId.
 *
 * <p>The chunk store lives in the task of the session's partition, keyed {@code
 * orgId/sessionId/<length>:<messageId>#<chunkIndex, 10 digits>}; a message's chunks are removed
 * when it is assembled or when they stop for {@code agentfeed.processor.message-assembly-timeout}.
 * The activity store holds one entry per open message (its last chunk's wall-clock time), so the
 * expiry punctuator reads the open messages, not every chunk.
 */
public final class MessageAssemblyTopology {

  public static final String ASSEMBLER = "message-assembler";

  /** Chunks of messages not completed yet. */
  public static final String CHUNK_STORE = "message-chunks-store";

  /** Wall-clock time of each open message's latest chunk, keyed like the chunks without index. */
  public static final String ACTIVITY_STORE = "message-activity-store";

  private MessageAssemblyTopology() {}

  /** Adds the assembler after {@code events}; returns the events with assembled messages. */
  public static KStream<String, EventEnvelope> build(
      KStream<String, EventEnvelope> events, ProcessorProperties settings) {
    return events.processValues(assembler(settings.messageAssemblyTimeout()), Named.as(ASSEMBLER));
  }

  private static FixedKeyProcessorSupplier<String, EventEnvelope, EventEnvelope> assembler(
      Duration timeout) {
    StoreBuilder<KeyValueStore<String, ChunkPart>> chunkStore =
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(CHUNK_STORE),
            Serdes.String(),
            new JsonSerde<>(ChunkPart.class));
    // Cached: a message's many chunks within one commit interval write its entry once.
    StoreBuilder<KeyValueStore<String, Long>> activityStore =
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ACTIVITY_STORE), Serdes.String(), Serdes.Long())
            .withCachingEnabled();
    return new FixedKeyProcessorSupplier<>() {
      @Override
      public FixedKeyProcessor<String, EventEnvelope, EventEnvelope> get() {
        return new MessageAssemblyProcessor(timeout);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(chunkStore, activityStore);
      }
    };
  }
}
