package dev.agentfeed.model.payload;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** {@code workflow.phase_changed}: planning, executing, reviewing, … as the agent names them. */
public record WorkflowPhaseChanged(
    @NotBlank @Size(max = 128) String phase, @Size(max = 128) String previousPhase) {}
