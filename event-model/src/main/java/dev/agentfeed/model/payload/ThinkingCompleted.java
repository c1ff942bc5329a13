package dev.agentfeed.model.payload;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** {@code thinking.completed}: the thinking text, when the agent shares it. */
public record ThinkingCompleted(
    @NotBlank @Size(max = 256) String thinkingId, String text, @PositiveOrZero Long durationMs) {}
