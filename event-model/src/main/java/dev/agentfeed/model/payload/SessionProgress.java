package dev.agentfeed.model.payload;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;

/** {@code session.progress}. */
public record SessionProgress(
    String message,
    @DecimalMin("0") @DecimalMax("100") Double percent,
    @jakarta.validation.Valid Usage usage) {}
