package dev.agentfeed.gateway.feed;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which organisations a session id has been seen under, from {@code sessions.stats} and from what
 * the live reader reads. It only lets a subscribe fail fast with a clear {@code forbidden}:
 * isolation itself never depends on it, because every subscription matches on (orgId, sessionId).
 * Bounded: the least recently seen sessions are forgotten, and a forgotten session simply counts as
 * unknown.
 */
public final class SessionDirectory {

  // A session id that this many organisations use is too common to judge by.
  private static final int MAX_ORGS_PER_SESSION = 32;

  private final Map<String, Set<String>> orgsBySession;

  public SessionDirectory(int maxSessions) {
    this.orgsBySession =
        new LinkedHashMap<>(1024, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
            return size() > maxSessions;
          }
        };
  }

  public synchronized void record(String orgId, String sessionId) {
    Set<String> orgs = orgsBySession.computeIfAbsent(sessionId, id -> new HashSet<>(2));
    if (orgs.size() < MAX_ORGS_PER_SESSION) {
      orgs.add(orgId);
    }
  }

  /** True when the session has been seen, and only under organisations other than this one. */
  public synchronized boolean knownOnlyElsewhere(String orgId, String sessionId) {
    Set<String> orgs = orgsBySession.get(sessionId);
    return orgs != null
        && orgs.size() < MAX_ORGS_PER_SESSION
        && !orgs.isEmpty()
        && !orgs.contains(orgId);
  }

  public synchronized int size() {
    return orgsBySession.size();
  }
}
