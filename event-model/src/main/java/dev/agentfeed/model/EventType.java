package dev.agentfeed.model;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.agentfeed.model.payload.ArtifactCreated;
import dev.agentfeed.model.payload.FileChanged;
import dev.agentfeed.model.payload.LogEntry;
import dev.agentfeed.model.payload.MessageChunk;
import dev.agentfeed.model.payload.MessageCompleted;
import dev.agentfeed.model.payload.SessionCompleted;
import dev.agentfeed.model.payload.SessionFailed;
import dev.agentfeed.model.payload.SessionProgress;
import dev.agentfeed.model.payload.SessionStarted;
import dev.agentfeed.model.payload.ThinkingCompleted;
import dev.agentfeed.model.payload.ThinkingStarted;
import dev.agentfeed.model.payload.ToolCompleted;
import dev.agentfeed.model.payload.ToolFailed;
import dev.agentfeed.model.payload.ToolStarted;
import dev.agentfeed.model.payload.WorkflowPhaseChanged;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every event type the pipeline accepts, with its wire name ({@code domain.action}), the record its
 * {@code data} must fit, and its default tier. Unknown wire names are rejected at ingest.
 */
public enum EventType {
  SESSION_STARTED("session.started", SessionStarted.class, Tier.IMMEDIATE),
  SESSION_PROGRESS("session.progress", SessionProgress.class, Tier.BATCHED),
  SESSION_COMPLETED("session.completed", SessionCompleted.class, Tier.IMMEDIATE),
  SESSION_FAILED("session.failed", SessionFailed.class, Tier.IMMEDIATE),
  TOOL_STARTED("tool.started", ToolStarted.class, Tier.BATCHED),
  TOOL_COMPLETED("tool.completed", ToolCompleted.class, Tier.BATCHED),
  TOOL_FAILED("tool.failed", ToolFailed.class, Tier.IMMEDIATE),
  FILE_CREATED("file.created", FileChanged.class, Tier.IMMEDIATE),
  FILE_EDITED("file.edited", FileChanged.class, Tier.IMMEDIATE),
  FILE_DELETED("file.deleted", FileChanged.class, Tier.IMMEDIATE),
  MESSAGE_CHUNK("message.chunk", MessageChunk.class, Tier.IMMEDIATE),
  MESSAGE_COMPLETED("message.completed", MessageCompleted.class, Tier.IMMEDIATE),
  THINKING_STARTED("thinking.started", ThinkingStarted.class, Tier.IMMEDIATE),
  THINKING_COMPLETED("thinking.completed", ThinkingCompleted.class, Tier.IMMEDIATE),
  WORKFLOW_PHASE_CHANGED("workflow.phase_changed", WorkflowPhaseChanged.class, Tier.IMMEDIATE),
  ARTIFACT_CREATED("artifact.created", ArtifactCreated.class, Tier.IMMEDIATE),
  LOG("log", LogEntry.class, Tier.BATCHED);

  private static final Map<String, EventType> BY_WIRE_NAME =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(t -> t.wireName, t -> t));

  private final String wireName;
  private final Class<? extends Record> payloadType;
  private final Tier defaultTier;

  EventType(String wireName, Class<? extends Record> payloadType, Tier defaultTier) {
    this.wireName = wireName;
    this.payloadType = payloadType;
    this.defaultTier = defaultTier;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  public Class<? extends Record> payloadType() {
    return payloadType;
  }

  /**
   * The tier before looking at the payload; {@link Tiers#of(EventEnvelope)} refines it (a failed
   * {@code tool.completed} is tier 1).
   */
  public Tier defaultTier() {
    return defaultTier;
  }

  public boolean endsSession() {
    return this == SESSION_COMPLETED || this == SESSION_FAILED;
  }

  public static Optional<EventType> fromWireName(String wireName) {
    return Optional.ofNullable(BY_WIRE_NAME.get(wireName));
  }

  /** The wire names, comma-separated, for error messages. */
  public static String wireNames() {
    return Arrays.stream(values()).map(EventType::wireName).collect(Collectors.joining(", "));
  }

  static Function<String, EventType> parser() {
    return name ->
        fromWireName(name)
            .orElseThrow(() -> new IllegalArgumentException("unknown event type '" + name + "'"));
  }
}
