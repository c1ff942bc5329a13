package dev.agentfeed.model;

import java.util.List;

/**
 * Topic names, defined once. Every topic carries the configurable prefix (default {@code
 * agentfeed.}); see DESIGN.md "Topics" for who writes and reads each.
 */
public record Topics(String prefix) {

  public static final String DEFAULT_PREFIX = "agentfeed.";

  public static Topics withDefaultPrefix() {
    return new Topics(DEFAULT_PREFIX);
  }

  /** Validated, redacted envelopes as received; key sessionId. */
  public String raw() {
    return prefix + "events.raw";
  }

  /** Deduped, sequenced, complete events: the canonical record; key sessionId. */
  public String enriched() {
    return prefix + "events.enriched";
  }

  /** What dashboards read; key sessionId. */
  public String feedLive() {
    return prefix + "feed.live";
  }

  /** Compacted, latest stats per session; key {@link SessionRef#key()}. */
  public String sessionsStats() {
    return prefix + "sessions.stats";
  }

  /** Per org per minute rollups; key orgId. */
  public String statsOrgMinute() {
    return prefix + "stats.org-minute";
  }

  /** What could not be processed, with the reason. */
  public String deadLetters() {
    return prefix + "events.dlq";
  }

  /** Every topic with how it is kept, so that one place can create them all. */
  public List<TopicSpec> all() {
    return List.of(
        new TopicSpec(raw(), false),
        new TopicSpec(enriched(), false),
        new TopicSpec(feedLive(), false),
        new TopicSpec(sessionsStats(), true),
        new TopicSpec(statsOrgMinute(), false),
        new TopicSpec(deadLetters(), false));
  }

  /** A topic's name and whether it is compacted. */
  public record TopicSpec(String name, boolean compacted) {}
}
