package dev.agentfeed.processor.diffs;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.processor.ProcessorProperties;
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
 * Reads the sequenced events (key sessionId) and adds to each {@code file.*} event's {@code data}
 * its unified {@code diff} (full), {@code diffPreview} (at most 100 lines and 5 KB), {@code
 * linesAdded}, {@code linesRemoved} and {@code diffContext} ({@code provided}, {@code file} or
 * {@code fragment}), or {@code diffSkipped} ({@code binary}, {@code too large}, {@code no previous
 * content}, {@code error}). Other events pass unchanged; the key stays sessionId.
 *
 * <p>The content store lives in the task of the session's partition (events are keyed by
 * sessionId), keyed {@code orgId/sessionId/path}; a session's end forgets its files.
 */
public final class FileDiffTopology {

  public static final String DIFFER = "file-differ";

  /** Last known content per file, {@code orgId/sessionId/path} to the text. */
  public static final String CONTENT_STORE = "file-content-store";

  private FileDiffTopology() {}

  /** Adds the differ after {@code events}; returns the events with their diffs. */
  public static KStream<String, EventEnvelope> build(
      KStream<String, EventEnvelope> events, ProcessorProperties settings) {
    return events.processValues(differ(settings), Named.as(DIFFER));
  }

  private static FixedKeyProcessorSupplier<String, EventEnvelope, EventEnvelope> differ(
      ProcessorProperties settings) {
    FileDiffs diffs = new FileDiffs(settings.diffMaxContent().toBytes());
    StoreBuilder<KeyValueStore<String, String>> contentStore =
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(CONTENT_STORE), Serdes.String(), Serdes.String());
    return new FixedKeyProcessorSupplier<>() {
      @Override
      public FixedKeyProcessor<String, EventEnvelope, EventEnvelope> get() {
        return new FileDiffProcessor(diffs);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(contentStore);
      }
    };
  }
}
