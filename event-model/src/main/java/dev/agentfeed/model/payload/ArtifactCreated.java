package dev.agentfeed.model.payload;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** {@code artifact.created}: a screenshot, spec, plan or other named output. */
public record ArtifactCreated(
    @NotBlank @Size(max = 64) String kind,
    @NotBlank @Size(max = 1024) String name,
    @Size(max = 2048) String uri,
    @Size(max = 128) String contentType,
    @PositiveOrZero Long bytes,
    String content) {}
