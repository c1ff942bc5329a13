package dev.agentfeed.processor.assembly;

import java.util.List;

/** Chunks of a long message, sealed in arrival order and no longer changed until assembly. */
record ChunkBlock(List<ChunkPart> parts) {}
