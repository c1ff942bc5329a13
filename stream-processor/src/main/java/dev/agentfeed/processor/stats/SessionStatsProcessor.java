package dev.agentfeed.processor.stats;

import dev.agentfeed.model.EventEnvelope;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts every enriched event of one task into its session's tally and forwards the session's
 * updated statistics, keyed {@code orgId/sessionId}. One update per event: the topic is compacted,
 * so readers of the latest value pay nothing for the intermediate ones.
 */
final class SessionStatsProcessor
    implements Processor<String, EventEnvelope, String, SessionStats> {

  private ProcessorContext<String, SessionStats> context;
  private KeyValueStore<String, SessionTally> tallies;

  @Override
  public void init(ProcessorContext<String, SessionStats> context) {
    this.context = context;
    this.tallies = context.getStateStore(SessionStatsTopology.STATS_STORE);
  }

  @Override
  public void process(Record<String, EventEnvelope> record) {
    EventEnvelope event = record.value();
    String key = event.session().key();
    SessionTally tally = tallies.get(key);
    if (tally == null) {
      tally = new SessionTally();
    }
    tally.add(event, record.timestamp());
    tallies.put(key, tally);
    context.forward(record.withKey(key).withValue(tally.view()));
  }
}
