package dev.agentfeed.model.payload;

import jakarta.validation.Valid;
import jakarta.validation.constraints.PositiveOrZero;

/** {@code session.completed}. */
public record SessionCompleted(
    String summary,
    @PositiveOrZero Long durationMs,
    @PositiveOrZero Integer turns,
    @Valid Usage usage) {}
