package dev.agentfeed.model;

/**
 * A session is only unique within its organisation, so every store, cache and filter keys sessions
 * by both. {@link #key()} is the string form used as a store or compacted-topic key; {@code /}
 * cannot occur in an id, so the form is unambiguous.
 */
public record SessionRef(String orgId, String sessionId) {

  public String key() {
    return orgId + "/" + sessionId;
  }

  public static SessionRef parseKey(String key) {
    int slash = key.indexOf('/');
    if (slash <= 0 || slash == key.length() - 1) {
      throw new IllegalArgumentException("not a session key: " + key);
    }
    return new SessionRef(key.substring(0, slash), key.substring(slash + 1));
  }
}
