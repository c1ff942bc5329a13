package dev.agentfeed.processor.assembly;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.processor.ProcessorProperties;
import dev.agentfeed.processor.streams.JsonSerde;
import dev.agentfeed.processor.streams.WriteBehindStore;
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
 * <p>The stores live in the task of the session's partition. {@code open-messages-store} holds one
 * entry per open message, keyed {@code orgId/sessionId/<length>:<messageId>}: its latest chunks and
 * the wall-clock time of the last one, which the expiry punctuator reads. A long message's earlier
 * chunks are sealed in blocks of about 4 KB into {@code message-blocks-store}, keyed {@code
 * <message key>#<block, 10 digits>}. Both are written behind ({@link WriteBehindStore}): once per
 * commit, not once per chunk. A message's entries are removed when it is assembled or when its
 * chunks stop for {@code agentfeed.processor.message-assembly-timeout}.
 */
public final class MessageAssemblyTopology {

  public static final String ASSEMBLER = "message-assembler";

  /** Messages not completed yet: their latest chunks and when the last one came. */
  public static final String OPEN_MESSAGES_STORE = "open-messages-store";

  /** Sealed blocks of the earlier chunks of long messages not completed yet. */
  public static final String BLOCKS_STORE = "message-blocks-store";

  private MessageAssemblyTopology() {}

  /** Adds the assembler after {@code events}; returns the events with assembled messages. */
  public static KStream<String, EventEnvelope> build(
      KStream<String, EventEnvelope> events, ProcessorProperties settings) {
    return events.processValues(assembler(settings.messageAssemblyTimeout()), Named.as(ASSEMBLER));
  }

  private static FixedKeyProcessorSupplier<String, EventEnvelope, EventEnvelope> assembler(
      Duration timeout) {
    StoreBuilder<KeyValueStore<String, OpenMessage>> openStore =
        writeBehind(OPEN_MESSAGES_STORE, OpenMessage.class);
    StoreBuilder<KeyValueStore<String, ChunkBlock>> blockStore =
        writeBehind(BLOCKS_STORE, ChunkBlock.class);
    return new FixedKeyProcessorSupplier<>() {
      @Override
      public FixedKeyProcessor<String, EventEnvelope, EventEnvelope> get() {
        return new MessageAssemblyProcessor(timeout);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(openStore, blockStore);
      }
    };
  }

  /** A persistent store of JSON values by string key, written behind. */
  private static <V> StoreBuilder<KeyValueStore<String, V>> writeBehind(
      String name, Class<V> type) {
    return WriteBehindStore.builder(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(name), Serdes.String(), new JsonSerde<>(type)));
  }
}
