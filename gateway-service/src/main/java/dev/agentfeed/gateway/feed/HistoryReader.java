package dev.agentfeed.gateway.feed;

import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.Topics;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a session's history: reads the session's partition of {@code feed.live} (key sessionId)
 * from a start offset with a consumer of its own, hands the records of that (org, session) to the
 * subscriber, and joins it to the live feed without gap or duplicate. The seam: the replay reads up
 * to the live reader's position, then under the partition's dispatch lock takes the rest from the
 * tail and registers the subscriber from the live reader's position on ({@link
 * PartitionFeed#registerAfterReplay}). If the live reader has moved so far that the tail no longer
 * reaches back, it reads on and tries again.
 */
public final class HistoryReader {

  private static final Logger log = LoggerFactory.getLogger(HistoryReader.class);

  private final FeedConsumers consumers;
  private final String topic;
  private final RecordDecoder decoder;
  private final Duration pollTimeout;

  public HistoryReader(
      FeedConsumers consumers, Topics topics, EventCodec codec, GatewayProperties properties) {
    this.consumers = consumers;
    this.topic = topics.feedLive();
    this.decoder = new RecordDecoder(codec);
    this.pollTimeout = properties.pollTimeout();
  }

  /** The history from the oldest retained record of the session's partition, then live. */
  public void replayFromBeginning(PartitionFeed feed, FeedSubscriber subscriber) {
    replay(feed, subscriber, -1);
  }

  /**
   * The history from {@code offset} (the record after a cursor's), then live.
   *
   * @throws HistoryGoneException when retention has deleted records at or after {@code offset}
   */
  public void replayFrom(PartitionFeed feed, FeedSubscriber subscriber, long offset) {
    replay(feed, subscriber, offset);
  }

  private void replay(PartitionFeed feed, FeedSubscriber subscriber, long startOffset) {
    TopicPartition tp = new TopicPartition(topic, feed.partition());
    try (Consumer<byte[], byte[]> consumer = consumers.create("replay", true)) {
      consumer.assign(List.of(tp));
      long logStart = consumer.beginningOffsets(List.of(tp)).get(tp);
      if (startOffset >= 0 && startOffset < logStart) {
        throw new HistoryGoneException(tp, startOffset, logStart);
      }
      long replayedUpTo = startOffset < 0 ? logStart : startOffset;
      int rounds = 0;
      while (subscriber.active()) {
        long target = feed.position();
        if (replayedUpTo < target) {
          replayedUpTo = read(consumer, tp, replayedUpTo, target, subscriber);
        }
        if (!subscriber.active() || feed.registerAfterReplay(subscriber, replayedUpTo)) {
          break;
        }
        rounds++;
      }
      log.debug(
          "Replayed session {} from topic {} partition {} offset {} to {} in {} extra rounds",
          subscriber.session().key(),
          topic,
          tp.partition(),
          startOffset,
          replayedUpTo,
          rounds);
    } catch (OffsetOutOfRangeException e) {
      throw new HistoryGoneException(tp, startOffset, -1);
    }
  }

  /** Delivers the session's records in [from, target); returns target, or less if cancelled. */
  private long read(
      Consumer<byte[], byte[]> consumer,
      TopicPartition tp,
      long from,
      long target,
      FeedSubscriber subscriber) {
    consumer.seek(tp, from);
    long next = from;
    while (consumer.position(tp) < target) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(pollTimeout).records(tp)) {
        if (record.offset() >= target) {
          // The live feed delivers it; the replay stops where the live reader was.
          break;
        }
        FeedRecord decoded = decoder.decode(record).orElse(null);
        if (decoded != null && decoded.session().equals(subscriber.session())) {
          if (!subscriber.awaitRoom()) {
            return record.offset();
          }
          subscriber.onRecord(decoded);
        }
        next = record.offset() + 1;
      }
      if (!subscriber.active()) {
        return next;
      }
    }
    return target;
  }

  /** The records after a cursor are no longer retained: the client must start over. */
  public static final class HistoryGoneException extends RuntimeException {

    HistoryGoneException(TopicPartition tp, long offset, long logStart) {
      super(
          "the events after this cursor are no longer retained (partition "
              + tp.partition()
              + " offset "
              + offset
              + (logStart >= 0 ? " is before the oldest retained offset " + logStart : "")
              + ")");
    }
  }
}
