package dev.agentfeed.model.payload;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** {@code thinking.started}. */
public record ThinkingStarted(@NotBlank @Size(max = 256) String thinkingId) {}
