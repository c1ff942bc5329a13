package dev.agentfeed.gateway;

import dev.agentfeed.model.EventEnvelope;
import java.util.ArrayList;
import java.util.List;

/**
 * Clients that subscribe to a session and then stop reading, and the flood of large events that
 * fills their sockets and then their outboxes, for the tests of what such clients cost the others.
 */
final class StoppedClients implements AutoCloseable {

  /** The subscription id every client here uses. */
  static final String SUBSCRIPTION = "s1";

  private final List<StreamClient> clients = new ArrayList<>();

  /** {@code count} clients of {@code org} that subscribe live to {@code session}, then pause. */
  static StoppedClients connect(TestGateway running, String org, String session, int count) {
    StoppedClients stopped = new StoppedClients();
    for (int i = 0; i < count; i++) {
      StreamClient client = subscribed(running, org, session);
      stopped.clients.add(client);
      client.pause();
    }
    return stopped;
  }

  /** A client of {@code org} subscribed live to {@code session} as {@link #SUBSCRIPTION}. */
  static StreamClient subscribed(TestGateway running, String org, String session) {
    StreamClient client = StreamClient.connect(running.stream, running.readToken(org));
    client.send(
        "{\"op\":\"subscribe\",\"id\":\""
            + SUBSCRIPTION
            + "\",\"sessionId\":\""
            + session
            + "\",\"from\":\"live\"}");
    client.awaitFrame("subscribed", SUBSCRIPTION);
    return client;
  }

  /** Writes {@code bursts} transactions of ten events of {@code eventBytes} each to the session. */
  static void flood(TestGateway running, String org, String session, int bursts, int eventBytes) {
    for (int burst = 0; burst < bursts; burst++) {
      List<EventEnvelope> events = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        events.add(running.feed.event(org, session, burst * 10L + i, eventBytes));
      }
      running.feed.send(events);
    }
  }

  @Override
  public void close() {
    clients.forEach(StreamClient::close);
  }
}
