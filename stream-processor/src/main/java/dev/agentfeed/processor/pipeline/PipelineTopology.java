package dev.agentfeed.processor.pipeline;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventSerde;
import dev.agentfeed.model.Topics;
import dev.agentfeed.processor.ProcessorProperties;
import dev.agentfeed.processor.assembly.MessageAssemblyTopology;
import dev.agentfeed.processor.diffs.FileDiffTopology;
import dev.agentfeed.processor.live.LiveFeedTopology;
import dev.agentfeed.processor.rollup.OrgMinuteRollupTopology;
import dev.agentfeed.processor.sequencing.SequencingTopology;
import dev.agentfeed.processor.stats.SessionStatsTopology;
import dev.agentfeed.processor.streams.EnvelopeBytes;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The whole processor in one builder: reads {@code events.raw} (key sessionId), sequences, adds
 * file diffs and assembled message texts, and writes the result in full to {@code events.enriched}
 * and, tiered, batched and with large fields cut, to {@code feed.live} (both key sessionId), the
 * per-session stats to {@code sessions.stats} (key {@code orgId/sessionId}) and the per-org minutes
 * to {@code stats.org-minute} (key orgId).
 *
 * <p>Every step before the sinks keeps the key and the partition, so all of a session's state lives
 * in one task and its events keep their seq order; only the org rollup repartitions.
 */
public final class PipelineTopology {

  public static final String ENRICHED_SINK = "enriched-events";

  private PipelineTopology() {}

  /**
   * Adds every feature to {@code builder}: the application wires it through Spring and the tests
   * drive the very same builder.
   *
   * @return the enriched stream as written to {@code events.enriched}
   */
  public static KStream<String, EventEnvelope> build(
      StreamsBuilder builder, Topics topics, ProcessorProperties settings) {
    KStream<String, EventEnvelope> sequenced = SequencingTopology.build(builder, topics, settings);
    KStream<String, EventEnvelope> withDiffs = FileDiffTopology.build(sequenced, settings);
    KStream<String, EventEnvelope> enriched = MessageAssemblyTopology.build(withDiffs, settings);

    // The live branch comes after the enriched sink and takes the bytes it wrote for every event
    // it sends unchanged.
    EnvelopeBytes envelopeBytes = new EnvelopeBytes(new EventCodec());
    Produced<String, EventEnvelope> produced =
        Produced.with(
            Serdes.String(), Serdes.serdeFrom(envelopeBytes, new EventSerde().deserializer()));
    enriched.to(topics.enriched(), produced.withName(ENRICHED_SINK));
    LiveFeedTopology.build(enriched, topics, settings, envelopeBytes);
    SessionStatsTopology.build(enriched, topics, settings);
    OrgMinuteRollupTopology.build(enriched, topics, settings);
    return enriched;
  }
}
