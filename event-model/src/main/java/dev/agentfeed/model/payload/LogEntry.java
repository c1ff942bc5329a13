package dev.agentfeed.model.payload;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/** {@code log}: a line of the agent's own log. */
public record LogEntry(
    @Pattern(
            regexp = "trace|debug|info|warn|error",
            message = "must be one of trace, debug, info, warn, error")
        String level,
    @NotBlank String message) {}
