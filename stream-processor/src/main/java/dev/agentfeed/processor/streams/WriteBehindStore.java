package dev.agentfeed.processor.streams;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store that keeps the values put since the last commit as objects and writes each to
 * the wrapped store (serde, RocksDB, changelog) once, when Kafka Streams flushes the store caches
 * just before it commits the task's transaction. A value that is put again and again between two
 * commits — a session's statistics, changed by each of its events — is then serialised once per
 * commit instead of once per put, and the changelog still holds, at every commit, exactly the state
 * the committed input offsets produced: exactly-once is kept, and a crash discards the unwritten
 * values together with the aborted transaction.
 *
 * <p>Kafka Streams has no public hook before a commit; this store uses the one its own record
 * caches use ({@link WrappedStateStore#flushCache()}, called from {@code StreamTask.prepareCommit}
 * for every registered store before the producer flushes). The crash test of the pipeline checks
 * the published statistics after a kill and a restart, so a Kafka Streams upgrade that moved the
 * hook would fail there.
 *
 * <p>Values are held by reference: a caller may change a value after putting it and put it again;
 * what is written is the value as it is at the commit. Reads see the unwritten values first. A key
 * that is put and deleted between two commits, and was not in the wrapped store before, is never
 * written at all.
 */
public final class WriteBehindStore<K, V> extends WrappedStateStore<KeyValueStore<K, V>, K, V>
    implements KeyValueStore<K, V> {

  private final Map<K, V> unwritten = new HashMap<>();

  WriteBehindStore(KeyValueStore<K, V> wrapped) {
    super(wrapped);
  }

  /**
   * Wraps the stores {@code inner} builds; caching in {@code inner} would only serialise the values
   * a second time, so build it without.
   */
  public static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(
      StoreBuilder<KeyValueStore<K, V>> inner) {
    return new Builder<>(inner);
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    // A revived task starts again from the changelog.
    unwritten.clear();
    super.init(context, root);
  }

  @Override
  public void put(K key, V value) {
    if (value == null) {
      delete(key);
    } else {
      unwritten.put(key, value);
    }
  }

  @Override
  public V putIfAbsent(K key, V value) {
    V current = get(key);
    if (current == null) {
      put(key, value);
    }
    return current;
  }

  @Override
  public void putAll(List<KeyValue<K, V>> entries) {
    entries.forEach(entry -> put(entry.key, entry.value));
  }

  /**
   * A key put and deleted between two commits that the wrapped store never held leaves no trace: no
   * tombstone goes to the changelog. (A held tier-2 event that is sent within the commit interval
   * it arrived in costs nothing beyond memory.)
   */
  @Override
  public V delete(K key) {
    V unwrittenValue = unwritten.remove(key);
    if (unwrittenValue != null && wrapped().get(key) == null) {
      return unwrittenValue;
    }
    V written = wrapped().delete(key);
    return unwrittenValue != null ? unwrittenValue : written;
  }

  @Override
  public V get(K key) {
    V value = unwritten.get(key);
    return value != null ? value : wrapped().get(key);
  }

  @Override
  public KeyValueIterator<K, V> range(K from, K to) {
    writeUnwritten();
    return wrapped().range(from, to);
  }

  @Override
  public KeyValueIterator<K, V> reverseRange(K from, K to) {
    writeUnwritten();
    return wrapped().reverseRange(from, to);
  }

  @Override
  public KeyValueIterator<K, V> all() {
    writeUnwritten();
    return wrapped().all();
  }

  @Override
  public KeyValueIterator<K, V> reverseAll() {
    writeUnwritten();
    return wrapped().reverseAll();
  }

  @Override
  public <S extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(
      P prefix, S prefixKeySerializer) {
    writeUnwritten();
    return wrapped().prefixScan(prefix, prefixKeySerializer);
  }

  @Override
  public long approximateNumEntries() {
    writeUnwritten();
    return wrapped().approximateNumEntries();
  }

  /** Called by Kafka Streams before every commit: the values go to the changelog now. */
  @Override
  public void flushCache() {
    writeUnwritten();
    super.flushCache();
  }

  @Override
  public void flush() {
    writeUnwritten();
    super.flush();
  }

  @Override
  public void close() {
    unwritten.clear();
    super.close();
  }

  private void writeUnwritten() {
    if (!unwritten.isEmpty()) {
      unwritten.forEach(wrapped()::put);
      unwritten.clear();
    }
  }

  private record Builder<K, V>(StoreBuilder<KeyValueStore<K, V>> inner)
      implements StoreBuilder<KeyValueStore<K, V>> {

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
      throw new UnsupportedOperationException("a write-behind store is its own cache");
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
      inner.withCachingDisabled();
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
      inner.withLoggingEnabled(config);
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
      inner.withLoggingDisabled();
      return this;
    }

    @Override
    public KeyValueStore<K, V> build() {
      return new WriteBehindStore<>(inner.build());
    }

    @Override
    public Map<String, String> logConfig() {
      return inner.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
      return inner.loggingEnabled();
    }

    @Override
    public String name() {
      return inner.name();
    }
  }
}
