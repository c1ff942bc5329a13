package dev.agentfeed.gateway.sessions;

import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.gateway.feed.FeedConsumers;
import dev.agentfeed.gateway.feed.TopicFollower;
import dev.agentfeed.model.SessionRef;
import dev.agentfeed.model.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the compacted {@code sessions.stats} topic (key {@code orgId/sessionId}, value the
 * session's latest stats as JSON, a tombstone when it is deleted) from the beginning into the
 * {@link SessionIndex}, then follows it. Assign-based and read_committed: unlike {@code feed.live},
 * whose reader drops re-emitted events by seq, stats carry no seq to fence with. It writes nothing.
 * A document whose key and body disagree on the session is skipped: the key decides which org may
 * see it, and a mismatch would be a processor bug.
 */
public final class StatsReader extends TopicFollower {

  private static final Logger log = LoggerFactory.getLogger(StatsReader.class);

  private final SessionIndex index;
  private final JsonMapper mapper;
  private final Duration pollTimeout;
  private volatile boolean caughtUp;
  private Map<TopicPartition, Long> ends = Map.of();

  public StatsReader(
      FeedConsumers consumers,
      Topics topics,
      SessionIndex index,
      JsonMapper mapper,
      GatewayProperties properties) {
    super(
        consumers,
        topics.sessionsStats(),
        "stats",
        properties.partitionRefreshInterval(),
        properties.pollTimeout());
    this.index = index;
    this.mapper = mapper;
    this.pollTimeout = properties.pollTimeout();
  }

  /** Whether everything that was in the topic at start has been read. */
  public boolean caughtUp() {
    return caughtUp;
  }

  @Override
  protected String whatStops() {
    return "session lists and stats are no longer updated";
  }

  @Override
  protected void startReading(Consumer<byte[], byte[]> reader, List<TopicPartition> partitions) {
    reader.assign(partitions);
    reader.seekToBeginning(partitions);
    ends = reader.endOffsets(partitions);
  }

  @Override
  protected void pollOnce(Consumer<byte[], byte[]> reader) {
    for (ConsumerRecord<byte[], byte[]> record : reader.poll(pollTimeout)) {
      apply(record);
    }
    if (!caughtUp
        && ends.entrySet().stream().allMatch(e -> reader.position(e.getKey()) >= e.getValue())) {
      caughtUp = true;
      log.info("Read {}: {} sessions indexed; following it", topic(), index.size());
    }
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    if (record.key() == null) {
      return;
    }
    SessionRef session;
    try {
      session = SessionRef.parseKey(new String(record.key(), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      log.warn(
          "Skipping a stats record whose key is not org/session: topic {} partition {} offset {}",
          record.topic(),
          record.partition(),
          record.offset());
      return;
    }
    if (record.value() == null) {
      index.remove(session);
      return;
    }
    try {
      JsonNode stats = mapper.readTree(record.value());
      SessionSummary summary = SessionSummary.of(stats);
      if (!session.orgId().equals(summary.orgId())
          || !session.sessionId().equals(summary.sessionId())) {
        log.warn(
            "Skipping stats of session {} whose body names {}/{}: topic {} partition {} offset {}",
            session.key(),
            summary.orgId(),
            summary.sessionId(),
            record.topic(),
            record.partition(),
            record.offset());
        return;
      }
      index.put(session, summary, record.value());
    } catch (JacksonException e) {
      log.warn(
          "Skipping stats of session {} that are not JSON: topic {} partition {} offset {}",
          session.key(),
          record.topic(),
          record.partition(),
          record.offset(),
          e);
    }
  }
}
