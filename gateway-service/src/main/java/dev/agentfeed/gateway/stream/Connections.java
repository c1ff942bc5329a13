package dev.agentfeed.gateway.stream;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The open connections of this instance, by WebSocket session id, and the budget their outboxes
 * share.
 */
final class Connections {

  private final Map<String, Connection> byId = new ConcurrentHashMap<>();
  private final OutboundBudget budget;

  Connections(OutboundBudget budget) {
    this.budget = budget;
  }

  /** What a new connection's outbox may hold, and the total all outboxes share. */
  OutboundBudget budget() {
    return budget;
  }

  void add(Connection connection) {
    byId.put(connection.id(), connection);
  }

  Connection get(String id) {
    return byId.get(id);
  }

  Connection remove(String id) {
    return byId.remove(id);
  }

  Collection<Connection> all() {
    return List.copyOf(byId.values());
  }

  /** The open connections that {@code test} holds for, counted without copying them. */
  int count(Predicate<Connection> test) {
    int count = 0;
    for (Connection connection : byId.values()) {
      if (test.test(connection)) {
        count++;
      }
    }
    return count;
  }

  int size() {
    return byId.size();
  }

  int subscriptions() {
    return byId.values().stream().mapToInt(Connection::subscriptionCount).sum();
  }
}
