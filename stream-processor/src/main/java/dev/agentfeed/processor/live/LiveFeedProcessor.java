package dev.agentfeed.processor.live;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Tier;
import dev.agentfeed.model.Tiers;
import dev.agentfeed.processor.streams.EnvelopeBytes;
import dev.agentfeed.processor.streams.StoreKeys;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns one task's enriched events into its {@code feed.live} records: tier-1 events at once,
 * tier-2 events held per session and sent as one {@code batch} when the session's window ends (wall
 * clock, checked by a punctuator, so an idle session's last batch still goes out on time), or
 * earlier when the batch reaches its size bound. A tier-1 event of a session with a pending batch
 * sends the batch first: a session's live records are always in seq order. Large fields are cut
 * (tier 3) before anything is held or sent.
 *
 * <p>Pending events live in the batch store (so a crash loses none; exactly-once commits them with
 * the input offsets), keyed {@code orgId/sessionId/<seq, 19 digits>}; each value is the record
 * timestamp (8 bytes) and the event's JSON. The store is only written (put when held, delete when
 * sent) and read when the task starts: the pending batches, with their events in seq order, are
 * kept in memory too and rebuilt from the store then, so a batch found there goes out at the first
 * punctuation. Sending a batch never scans the store: a prefix scan over a session's key range also
 * steps over the deletions of every batch sent before it, and in a log-structured store those pile
 * up until compaction; it was half of the stream thread's time in a profile.
 */
final class LiveFeedProcessor implements Processor<String, EventEnvelope, String, byte[]> {

  private static final byte[] BATCH_END = "]}".getBytes(StandardCharsets.UTF_8);

  private final long windowMs;
  private final long maxBatchBytes;
  private final Duration checkInterval;
  private final DetailCutter cutter;
  private final EventCodec codec;
  private final EnvelopeBytes envelopeBytes;

  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> held;
  private Cancellable punctuation;

  /** Sessions with held events, in the order their batches were opened. */
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  /**
   * A session's open batch: when its window started (wall clock), its events as held in the store
   * (in seq order) and their JSON bytes.
   */
  private static final class Pending {
    final String sessionId;
    final long startedMs;
    final List<KeyValue<String, byte[]>> events = new ArrayList<>();
    long bytes;

    Pending(String sessionId, long startedMs) {
      this.sessionId = sessionId;
      this.startedMs = startedMs;
    }

    void add(String key, byte[] held) {
      events.add(KeyValue.pair(key, held));
      bytes += held.length - Long.BYTES;
    }
  }

  LiveFeedProcessor(
      Duration window,
      long maxBatchBytes,
      DetailCutter cutter,
      EventCodec codec,
      EnvelopeBytes envelopeBytes) {
    this.windowMs = window.toMillis();
    this.maxBatchBytes = maxBatchBytes;
    // Ten checks per window: a batch leaves between 90% and 100% of the window after it opened.
    this.checkInterval = Duration.ofMillis(Math.max(1, windowMs / 10));
    this.cutter = cutter;
    this.codec = codec;
    this.envelopeBytes = envelopeBytes;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.held = context.getStateStore(LiveFeedTopology.BATCH_STORE);
    pending.clear();
    long overdue = context.currentSystemTimeMs() - windowMs;
    try (KeyValueIterator<String, byte[]> all = held.all()) {
      all.forEachRemaining(
          entry -> {
            String session = sessionOf(entry.key);
            Pending batch =
                pending.computeIfAbsent(
                    session,
                    s -> new Pending(s.substring(s.indexOf('/') + 1, s.length() - 1), overdue));
            batch.add(entry.key, entry.value);
          });
    }
    this.punctuation =
        context.schedule(checkInterval, PunctuationType.WALL_CLOCK_TIME, this::flushDue);
  }

  @Override
  public void process(Record<String, EventEnvelope> record) {
    EventEnvelope event = cutter.cut(record.value());
    String session = event.session().key() + "/";
    Tier tier = event.tier() != null ? tierOf(event.tier()) : Tiers.of(event);
    // An event with nothing cut is the enriched sink's instance: its bytes are reused.
    byte[] json = envelopeBytes.of(event);
    if (tier == Tier.IMMEDIATE) {
      if (pending.containsKey(session)) {
        flush(session);
      }
      context.forward(record.withKey(event.sessionId()).withValue(json));
      return;
    }
    Pending batch = pending.get(session);
    if (batch != null && batch.bytes + json.length + 1 > maxBatchBytes) {
      flush(session);
      batch = null;
    }
    if (batch == null) {
      batch = new Pending(event.sessionId(), context.currentSystemTimeMs());
      pending.put(session, batch);
    }
    String key = session + StoreKeys.zeroPadded(event.seq(), 19);
    byte[] value =
        ByteBuffer.allocate(Long.BYTES + json.length).putLong(record.timestamp()).put(json).array();
    batch.add(key, value);
    held.put(key, value);
  }

  @Override
  public void close() {
    punctuation.cancel();
  }

  private void flushDue(long now) {
    List<String> due = new ArrayList<>();
    pending.forEach(
        (session, batch) -> {
          if (now - batch.startedMs >= windowMs - checkInterval.toMillis()) {
            due.add(session);
          }
        });
    due.forEach(this::flush);
  }

  /**
   * Sends the session's held events as one batch, timestamped with the latest of their record
   * timestamps. The held JSON is spliced into the batch as is: it is exactly what {@code
   * EventCodec.toBytes(LiveBatch)} writes for these events, without reading them back.
   */
  private void flush(String session) {
    Pending batch = pending.remove(session);
    List<KeyValue<String, byte[]>> events = batch.events;
    if (events.isEmpty()) {
      return;
    }
    long firstSeq = seqOf(events.get(0).key);
    long lastSeq = seqOf(events.get(events.size() - 1).key);
    String orgId = session.substring(0, session.indexOf('/'));
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) batch.bytes + 256);
    out.writeBytes(
        ("{\"type\":\"batch\",\"orgId\":"
                + codec.mapper().writeValueAsString(orgId)
                + ",\"sessionId\":"
                + codec.mapper().writeValueAsString(batch.sessionId)
                + ",\"firstSeq\":"
                + firstSeq
                + ",\"lastSeq\":"
                + lastSeq
                + ",\"events\":[")
            .getBytes(StandardCharsets.UTF_8));
    long timestamp = Long.MIN_VALUE;
    for (int i = 0; i < events.size(); i++) {
      ByteBuffer value = ByteBuffer.wrap(events.get(i).value);
      timestamp = Math.max(timestamp, value.getLong());
      if (i > 0) {
        out.write(',');
      }
      out.write(value.array(), Long.BYTES, value.remaining());
      held.delete(events.get(i).key);
    }
    out.writeBytes(BATCH_END);
    context.forward(new Record<>(batch.sessionId, out.toByteArray(), timestamp));
  }

  private static Tier tierOf(int number) {
    return number == Tier.BATCHED.number() ? Tier.BATCHED : Tier.IMMEDIATE;
  }

  /** {@code orgId/sessionId/} of a held event's key. */
  private static String sessionOf(String key) {
    return key.substring(0, key.lastIndexOf('/') + 1);
  }

  private static long seqOf(String key) {
    return Long.parseLong(key.substring(key.lastIndexOf('/') + 1));
  }
}
