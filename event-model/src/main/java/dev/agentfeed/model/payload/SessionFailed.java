package dev.agentfeed.model.payload;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;

/** {@code session.failed}: {@code error} says why. */
public record SessionFailed(
    @NotBlank String error, String reason, @PositiveOrZero Long durationMs, @Valid Usage usage) {}
