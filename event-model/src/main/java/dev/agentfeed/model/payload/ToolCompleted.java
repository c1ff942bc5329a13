package dev.agentfeed.model.payload;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/**
 * {@code tool.completed}; {@code success} defaults to true. A completion with {@code success:
 * false} is tier 1, like {@code tool.failed}.
 */
public record ToolCompleted(
    @NotBlank @Size(max = 256) String toolId,
    @NotBlank @Size(max = 256) String toolName,
    @PositiveOrZero Long durationMs,
    String resultSummary,
    Boolean success,
    JsonNode input,
    JsonNode output) {}
