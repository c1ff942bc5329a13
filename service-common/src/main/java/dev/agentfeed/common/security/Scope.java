package dev.agentfeed.common.security;

/** The scopes a token can carry in its {@code scope} claim. */
public enum Scope {
  /** A sandbox posts events. */
  INGEST,
  /** A dashboard reads events and stats. */
  READ,
  /** An auditor lists and fetches replays. */
  AUDIT;

  /** The claim value, e.g. {@code ingest}. */
  public String claimValue() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The authority Spring Security grants for it, e.g. {@code SCOPE_ingest}. */
  public String authority() {
    return "SCOPE_" + claimValue();
  }
}
