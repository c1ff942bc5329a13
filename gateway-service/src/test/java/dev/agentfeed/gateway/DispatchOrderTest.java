package dev.agentfeed.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.gateway.feed.SessionPartitioner;
import dev.agentfeed.model.EventEnvelope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With several dispatch threads, the partitions of one poll are dispatched at once, each by one
 * thread at a time and in offset order, and the next poll waits for all of them: whichever thread
 * and partition a session's records come through, its subscribers get its events in seq order.
 * Sessions spread over every partition, several subscribers each (so that dispatching a poll takes
 * a while), events written in transactions of many records, so that the live reader gets them in
 * many polls of records from several partitions at once, one after another.
 */
class DispatchOrderTest {

  private static final int PARTITIONS = 6;
  private static final int SESSIONS = 12;
  private static final long EVENTS = 200;
  // Seqs of every session per transaction.
  private static final long SEQS_PER_TRANSACTION = 20;
  private static final int SUBSCRIBERS_PER_SESSION = 3;
  private static final AtomicInteger ORGS = new AtomicInteger();

  private static TestGateway running;

  @BeforeAll
  static void startGateway() {
    running = TestGateway.start(PARTITIONS, "--agentfeed.gateway.dispatch-threads=4");
  }

  @AfterAll
  static void stopGateway() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void shouldDeliverEachSessionsEventsInSeqOrderToItsSubscribersWithSeveralDispatchThreads() {
    String org = "order-" + ORGS.incrementAndGet();
    List<String> sessions = sessionsOnEveryPartition(org);
    List<StreamClient> clients = new ArrayList<>();
    try {
      List<String> followed = new ArrayList<>();
      for (String session : sessions) {
        for (int i = 0; i < SUBSCRIBERS_PER_SESSION; i++) {
          StreamClient client = StreamClient.connect(running.stream, running.readToken(org));
          clients.add(client);
          followed.add(session);
          subscribe(client, "\"sessionId\":\"" + session + "\",\"from\":\"live\"");
        }
      }
      writeInterleaved(org, sessions);

      for (int i = 0; i < clients.size(); i++) {
        clients.get(i).awaitDelivered("s1", (int) EVENTS);
        assertThat(clients.get(i).delivered("s1")).isEqualTo(seqs(followed.get(i)));
      }
    } finally {
      clients.forEach(StreamClient::close);
    }
  }

  @Test
  void shouldDeliverEverySessionsEventsInSeqOrderToAnOrgWideSubscriberWithSeveralDispatchThreads() {
    String org = "order-" + ORGS.incrementAndGet();
    List<String> sessions = sessionsOnEveryPartition(org);
    try (StreamClient client = StreamClient.connect(running.stream, running.readToken(org))) {
      subscribe(client, "\"orgWide\":true,\"from\":\"live\"");
      writeInterleaved(org, sessions);

      client.awaitDelivered("s1", (int) EVENTS * sessions.size());
      List<String> delivered = client.delivered("s1");
      for (String session : sessions) {
        assertThat(delivered.stream().filter(e -> e.startsWith(session + "/")))
            .isEqualTo(seqs(session));
      }
    }
  }

  /**
   * Seqs 1..EVENTS of every session, interleaved (seq n of each session, then n + 1 of each), in
   * transactions of SEQS_PER_TRANSACTION seqs each.
   */
  private static void writeInterleaved(String org, List<String> sessions) {
    for (long from = 1; from <= EVENTS; from += SEQS_PER_TRANSACTION) {
      List<EventEnvelope> events = new ArrayList<>();
      for (long seq = from; seq < from + SEQS_PER_TRANSACTION && seq <= EVENTS; seq++) {
        for (String session : sessions) {
          events.add(running.feed.event(org, session, seq, 0));
        }
      }
      running.feed.send(events);
    }
  }

  /** {@link #SESSIONS} sessions of the org, at least one on every partition. */
  private static List<String> sessionsOnEveryPartition(String org) {
    List<String> sessions = new ArrayList<>();
    Set<Integer> covered = new HashSet<>();
    for (int i = 0; sessions.size() < SESSIONS; i++) {
      String session = org + "-ses-" + i;
      // One on each partition first, then any.
      if (covered.add(SessionPartitioner.partitionOf(session, PARTITIONS))
          || covered.size() == PARTITIONS) {
        sessions.add(session);
      }
    }
    return sessions;
  }

  private static void subscribe(StreamClient client, String fields) {
    client.send("{\"op\":\"subscribe\",\"id\":\"s1\"," + fields + "}");
    client.awaitFrame("subscribed", "s1");
  }

  private static List<String> seqs(String session) {
    return LongStream.rangeClosed(1, EVENTS).mapToObj(s -> session + "/" + s).toList();
  }
}
