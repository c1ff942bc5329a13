package dev.agentfeed.archiver.replay;

/**
 * One object of a session folder as its manifest lists it, so that an auditor can check it without
 * trusting the store: its size, its SHA-256 (lower-case hex) and the events it holds.
 */
public record ReplayObject(
    String key, long bytes, String sha256, long events, long firstSeq, long lastSeq) {}
