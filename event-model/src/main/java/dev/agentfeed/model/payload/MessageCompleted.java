package dev.agentfeed.model.payload;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** {@code message.completed}: the whole text when the agent has it, else the chunk count. */
public record MessageCompleted(
    @NotBlank @Size(max = 256) String messageId,
    String text,
    @PositiveOrZero Integer chunkCount,
    @Size(max = 32) String role,
    @Valid Usage usage) {}
