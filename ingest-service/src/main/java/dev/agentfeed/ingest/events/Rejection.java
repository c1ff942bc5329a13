package dev.agentfeed.ingest.events;

/**
 * One event that was not accepted: its 0-based position in the body (array index, or line number
 * for NDJSON) and everything that is wrong with it.
 */
record Rejection(int index, String error) {}
