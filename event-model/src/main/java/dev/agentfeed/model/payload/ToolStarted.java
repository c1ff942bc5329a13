package dev.agentfeed.model.payload;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/** {@code tool.started}: {@code input} holds the tool's arguments as the agent gave them. */
public record ToolStarted(
    @NotBlank @Size(max = 256) String toolId,
    @NotBlank @Size(max = 256) String toolName,
    JsonNode input) {}
