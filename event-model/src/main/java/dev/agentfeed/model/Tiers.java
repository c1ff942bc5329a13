package dev.agentfeed.model;

import tools.jackson.databind.JsonNode;

/** The tier of one event, from its type and, where the type says so, its payload. */
public final class Tiers {

  private Tiers() {}

  public static Tier of(EventEnvelope event) {
    if (event.type() == EventType.TOOL_COMPLETED) {
      JsonNode success = event.data().get("success");
      boolean failed = success != null && success.isBoolean() && !success.booleanValue();
      return failed ? Tier.IMMEDIATE : Tier.BATCHED;
    }
    return event.type().defaultTier();
  }
}
