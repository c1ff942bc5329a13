package dev.agentfeed.model.payload;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/** {@code tool.failed}: {@code error} says what went wrong. */
public record ToolFailed(
    @NotBlank @Size(max = 256) String toolId,
    @NotBlank @Size(max = 256) String toolName,
    @PositiveOrZero Long durationMs,
    @NotBlank String error,
    JsonNode input,
    JsonNode output) {}
