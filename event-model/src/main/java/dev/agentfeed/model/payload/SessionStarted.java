package dev.agentfeed.model.payload;

import jakarta.validation.constraints.Size;

/** {@code session.started}: everything optional, what the agent knows when it starts. */
public record SessionStarted(
    @Size(max = 512) String title,
    @Size(max = 128) String model,
    @Size(max = 1024) String cwd,
    String task) {}
