package dev.agentfeed.processor.assembly;

/**
 * One kept chunk of a message being streamed.
 *
 * @param receivedAtMs wall-clock time the processor got it, for the assembly timeout
 */
record ChunkPart(int index, String text, long receivedAtMs) {}
