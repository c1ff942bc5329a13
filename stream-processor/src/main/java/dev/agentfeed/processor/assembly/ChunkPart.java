package dev.agentfeed.processor.assembly;

/**
 * One kept chunk of a message being streamed. (Values written before the activity store existed
 * also carry {@code receivedAtMs}; it is ignored.)
 */
record ChunkPart(int index, String text) {}
