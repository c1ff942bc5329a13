package dev.agentfeed.model.payload;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * {@code file.created|edited|deleted}. The change comes as a ready unified {@code diff}, as {@code
 * before}/{@code after} content, or Edit-style as {@code oldString}/{@code newString} (with {@code
 * replaceAll}); the stream processor computes what is missing.
 */
public record FileChanged(
    @NotBlank @Size(max = 4096) String path,
    String diff,
    String before,
    String after,
    String oldString,
    String newString,
    Boolean replaceAll,
    @PositiveOrZero Integer linesAdded,
    @PositiveOrZero Integer linesRemoved,
    String toolId) {}
