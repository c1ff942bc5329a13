package dev.agentfeed.model.payload;

import jakarta.validation.constraints.PositiveOrZero;

/** Tokens and cost, when the agent reports them. */
public record Usage(
    @PositiveOrZero Long inputTokens,
    @PositiveOrZero Long outputTokens,
    @PositiveOrZero Long cacheReadTokens,
    @PositiveOrZero Double costUsd) {}
