package dev.agentfeed.processor;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The stream processor's own settings; Kafka client settings stay under {@code spring.kafka.*}.
 *
 * @param dedupeRetention how long an event id is remembered. A second event with the same org,
 *     session and id is dropped when the record timestamps of the two are less than this apart;
 *     once the partition's stream time (its latest record timestamp) is this far past the first
 *     copy, the id is forgotten and a copy counts as a new event. Record time, not wall-clock time.
 * @param commitInterval Kafka Streams {@code commit.interval.ms}. Under exactly-once a {@code
 *     read_committed} consumer (the archiver, analysts) sees an output record only when its
 *     transaction commits, so this is the latency the processor adds for them; shorter means more
 *     transactions per second. Dashboards do not wait for it: the gateway reads {@code feed.live}
 *     uncommitted and drops what a retried transaction writes again by seq, but live events that
 *     arrive while the stream thread commits wait for it: 500 ms (the default) commits five times
 *     less often than Kafka's 100 ms (tier-1 p99 added: median 16.5 ms against 20–21 ms).
 * @param produceLinger the producer's {@code linger.ms}: how long an output record may wait to
 *     share a request with others. A {@code read_uncommitted} reader (the gateway) sees a record
 *     once it is sent, so this bounds what batching adds to the live latency; Kafka Streams would
 *     otherwise wait 100 ms.
 * @param streamThreads Kafka Streams {@code num.stream.threads} of this instance
 * @param diffMaxContent file content larger than this (UTF-8) is summarised ({@code diffSkipped:
 *     "too large"}), neither diffed nor remembered
 * @param messageAssemblyTimeout chunks of a message whose last chunk is older than this (wall
 *     clock) and that saw no {@code message.completed} are dropped with a warning
 * @param rollupGrace how long after a minute ends late events still count in its rollup; the rollup
 *     of a minute is written once this has passed (stream time)
 * @param rollupFlush how often (wall clock) each task sends its partial per-org minute counts on to
 *     the rollup, which adds them up per org: one record per org and minute per interval rather
 *     than one per event. A late event's lateness is judged when its partial count arrives, so keep
 *     this well below the grace
 * @param batchWindow how long (wall clock) the tier-2 events of a session are held before they go
 *     to {@code feed.live} as one batch; a tier-1 event of the session sends the pending batch
 *     first
 * @param batchMaxBytes a pending batch is sent early when it would grow beyond this (JSON of its
 *     events), so that no {@code feed.live} record comes near the broker's message size limit
 * @param detailThreshold a field of an event's {@code data} whose JSON is larger than this is
 *     replaced by a detail reference in {@code feed.live} (tier 3); {@code events.enriched} keeps
 *     it. The diff preview ({@code diffPreview}, at most 5 KB) always stays
 * @param statsInterval how often (wall clock) the stats of sessions that changed are written to
 *     {@code sessions.stats}: at most one record per session per interval
 * @param idleAfter a running session with no event for this long (wall clock) is reported {@code
 *     idle}; its next event makes it {@code running} again
 * @param statsRetention a completed, failed or idle session with no event for this long is
 *     forgotten by the stats store ({@code sessions.stats} keeps its last value); an event that
 *     comes later starts new stats for the session, counted from that event
 */
@Validated
@ConfigurationProperties("agentfeed.processor")
public record ProcessorProperties(
    @DurationMin(minutes = 1) Duration dedupeRetention,
    @DurationMin(millis = 1) Duration commitInterval,
    @DurationMin(millis = 0) Duration produceLinger,
    @Min(1) @Max(64) Integer streamThreads,
    DataSize diffMaxContent,
    @DurationMin(seconds = 1) Duration messageAssemblyTimeout,
    @DurationMin(millis = 0) Duration rollupGrace,
    @DurationMin(millis = 10) Duration rollupFlush,
    @DurationMin(millis = 10) Duration batchWindow,
    DataSize batchMaxBytes,
    DataSize detailThreshold,
    @DurationMin(millis = 10) Duration statsInterval,
    @DurationMin(seconds = 1) Duration idleAfter,
    @DurationMin(seconds = 1) Duration statsRetention) {

  public ProcessorProperties {
    dedupeRetention = dedupeRetention == null ? Duration.ofHours(24) : dedupeRetention;
    commitInterval = commitInterval == null ? Duration.ofMillis(500) : commitInterval;
    produceLinger = produceLinger == null ? Duration.ofMillis(2) : produceLinger;
    streamThreads = streamThreads == null ? 1 : streamThreads;
    diffMaxContent = diffMaxContent == null ? DataSize.ofMegabytes(1) : diffMaxContent;
    messageAssemblyTimeout =
        messageAssemblyTimeout == null ? Duration.ofMinutes(2) : messageAssemblyTimeout;
    rollupGrace = rollupGrace == null ? Duration.ofSeconds(30) : rollupGrace;
    rollupFlush = rollupFlush == null ? Duration.ofSeconds(1) : rollupFlush;
    batchWindow = batchWindow == null ? Duration.ofMillis(500) : batchWindow;
    batchMaxBytes = batchMaxBytes == null ? DataSize.ofKilobytes(256) : batchMaxBytes;
    detailThreshold = detailThreshold == null ? DataSize.ofKilobytes(2) : detailThreshold;
    statsInterval = statsInterval == null ? Duration.ofSeconds(1) : statsInterval;
    idleAfter = idleAfter == null ? Duration.ofMinutes(5) : idleAfter;
    statsRetention = statsRetention == null ? Duration.ofHours(1) : statsRetention;
  }

  /** Every setting at its default. */
  public static ProcessorProperties defaults() {
    return new ProcessorProperties(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }
}
