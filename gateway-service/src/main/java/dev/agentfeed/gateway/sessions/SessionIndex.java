package dev.agentfeed.gateway.sessions;

import dev.agentfeed.gateway.feed.SessionDirectory;
import dev.agentfeed.model.SessionRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The latest {@code sessions.stats} document of every session the gateway knows, keyed by (org,
 * session): the session list, the stats endpoint, and where a session's history starts. Bounded:
 * beyond {@code maxSessions} sessions, or {@code maxBytes} of documents, the least recently updated
 * session is forgotten (it then reads as unknown: 404 for its stats, history read from the oldest
 * retained record). A session costs its document plus a summary of fixed size (a dozen numbers,
 * times and short strings, about 300 bytes), so the index holds at most {@code maxBytes} + {@code
 * maxSessions} × ~300 bytes; the list is served from the summaries, never by parsing documents.
 */
public final class SessionIndex {

  private final int maxSessions;
  private final long maxBytes;
  private long bytes;
  private final SessionDirectory directory;
  // Least recently updated first.
  private final LinkedHashMap<SessionRef, Entry> sessions = new LinkedHashMap<>();
  private final Map<String, Map<String, Entry>> byOrg = new HashMap<>();

  public SessionIndex(int maxSessions, long maxBytes, SessionDirectory directory) {
    this.maxSessions = maxSessions;
    this.maxBytes = maxBytes;
    this.directory = directory;
  }

  /** One session's stats: the summary and the document as the processor wrote it. */
  public record Entry(SessionSummary summary, byte[] json) {}

  synchronized void put(SessionRef session, SessionSummary summary, byte[] json) {
    remove(session);
    Entry entry = new Entry(summary, json);
    sessions.put(session, entry);
    bytes += json.length;
    byOrg.computeIfAbsent(session.orgId(), o -> new HashMap<>()).put(session.sessionId(), entry);
    directory.record(session.orgId(), session.sessionId());
    Iterator<Map.Entry<SessionRef, Entry>> eldest = sessions.entrySet().iterator();
    // The newest document stays even if it alone is over maxBytes: its session is the live one.
    while ((sessions.size() > maxSessions || bytes > maxBytes)
        && sessions.size() > 1
        && eldest.hasNext()) {
      Map.Entry<SessionRef, Entry> oldest = eldest.next();
      SessionRef evicted = oldest.getKey();
      bytes -= oldest.getValue().json().length;
      eldest.remove();
      forgetInOrg(evicted);
    }
  }

  synchronized void remove(SessionRef session) {
    Entry removed = sessions.remove(session);
    if (removed != null) {
      bytes -= removed.json().length;
      forgetInOrg(session);
    }
  }

  public synchronized Optional<Entry> get(SessionRef session) {
    return Optional.ofNullable(sessions.get(session));
  }

  /** The organisation's sessions, most recently active first. */
  public synchronized List<SessionSummary> list(String orgId, boolean activeOnly) {
    List<SessionSummary> result = new ArrayList<>();
    for (Entry entry : byOrg.getOrDefault(orgId, Map.of()).values()) {
      if (!activeOnly || entry.summary().active()) {
        result.add(entry.summary());
      }
    }
    result.sort(
        Comparator.comparing(
                SessionSummary::lastTs, Comparator.nullsLast(Comparator.reverseOrder()))
            .thenComparing(SessionSummary::sessionId));
    return result;
  }

  public synchronized int size() {
    return sessions.size();
  }

  private void forgetInOrg(SessionRef session) {
    Map<String, Entry> org = byOrg.get(session.orgId());
    if (org != null) {
      org.remove(session.sessionId());
      if (org.isEmpty()) {
        byOrg.remove(session.orgId());
      }
    }
  }
}
