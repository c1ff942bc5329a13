package dev.agentfeed.common.topics;

import dev.agentfeed.model.Topics;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where the pipeline's topics live and how they are created when missing.
 *
 * @param prefix prepended to every topic name
 * @param partitions partitions of each topic created here; sessions spread over them by id
 * @param replicationFactor replicas of each topic created here (1 locally, 3 in production)
 * @param create whether a service creates missing topics at start
 */
@Validated
@ConfigurationProperties("agentfeed.topics")
public record TopicsProperties(
    @NotNull String prefix,
    @Min(1) @Max(1000) Integer partitions,
    @Min(1) @Max(7) Short replicationFactor,
    Boolean create) {

  public TopicsProperties {
    prefix = prefix == null ? Topics.DEFAULT_PREFIX : prefix;
    partitions = partitions == null ? 6 : partitions;
    replicationFactor = replicationFactor == null ? 1 : replicationFactor;
    create = create == null || create;
  }
}
