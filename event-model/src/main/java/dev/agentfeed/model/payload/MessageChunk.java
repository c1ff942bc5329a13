package dev.agentfeed.model.payload;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** {@code message.chunk}: one streamed piece of a message, ordered by {@code chunkIndex}. */
public record MessageChunk(
    @NotBlank @Size(max = 256) String messageId,
    @NotNull @PositiveOrZero Integer chunkIndex,
    @NotNull String text,
    @Size(max = 32) String role) {}
