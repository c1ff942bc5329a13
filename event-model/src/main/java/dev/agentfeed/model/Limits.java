package dev.agentfeed.model;

/** Size limits of the contract; services may lower them by configuration, never raise them. */
public final class Limits {

  /** Largest serialized envelope accepted at ingest. */
  public static final int MAX_EVENT_BYTES = 256 * 1024;

  /** Longest {@code source}. */
  public static final int MAX_SOURCE_LENGTH = 256;

  private Limits() {}
}
