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
 *     read_committed} consumer sees an output record only when its transaction commits, so this is
 *     the latency the processor adds for dashboards; shorter means more transactions per second.
 * @param streamThreads Kafka Streams {@code num.stream.threads} of this instance
 * @param diffMaxContent file content larger than this (UTF-8) is summarised ({@code diffSkipped:
 *     "too large"}), neither diffed nor remembered
 * @param messageAssemblyTimeout chunks of a message whose last chunk is older than this (wall
 *     clock) and that saw no {@code message.completed} are dropped with a warning
 * @param rollupGrace how long after a minute ends late events still count in its rollup; the rollup
 *     of a minute is written once this has passed (stream time)
 */
@Validated
@ConfigurationProperties("agentfeed.processor")
public record ProcessorProperties(
    @DurationMin(minutes = 1) Duration dedupeRetention,
    @DurationMin(millis = 1) Duration commitInterval,
    @Min(1) @Max(64) Integer streamThreads,
    DataSize diffMaxContent,
    @DurationMin(seconds = 1) Duration messageAssemblyTimeout,
    @DurationMin(millis = 0) Duration rollupGrace) {

  public ProcessorProperties {
    dedupeRetention = dedupeRetention == null ? Duration.ofHours(24) : dedupeRetention;
    commitInterval = commitInterval == null ? Duration.ofMillis(20) : commitInterval;
    streamThreads = streamThreads == null ? 1 : streamThreads;
    diffMaxContent = diffMaxContent == null ? DataSize.ofMegabytes(1) : diffMaxContent;
    messageAssemblyTimeout =
        messageAssemblyTimeout == null ? Duration.ofMinutes(2) : messageAssemblyTimeout;
    rollupGrace = rollupGrace == null ? Duration.ofSeconds(30) : rollupGrace;
  }

  /** Every setting at its default. */
  public static ProcessorProperties defaults() {
    return new ProcessorProperties(null, null, null, null, null, null);
  }
}
