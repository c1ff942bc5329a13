package dev.agentfeed.processor.assembly;

/** One kept chunk of a message being streamed. */
record ChunkPart(int index, String text) {}
