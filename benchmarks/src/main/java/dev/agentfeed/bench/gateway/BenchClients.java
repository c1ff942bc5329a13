package dev.agentfeed.bench.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Dashboards for the benchmark: WebSocket clients (the JDK's, spread over several HTTP clients so
 * that one selector thread is not the limit), each subscribed live to one session. A normal client
 * reads everything and records, per event frame, the time from the event's {@code receivedAt} to
 * its arrival; a slow one reads one frame and then nothing more.
 */
final class BenchClients implements AutoCloseable {

  private static final String RECEIVED_AT = "\"receivedAt\":\"";

  private final List<WebSocket> sockets = new ArrayList<>();
  private final List<HttpClient> https = new ArrayList<>();
  private final LongAdder frames = new LongAdder();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private final Recorder latencyMicros = new Recorder(TimeUnit.MINUTES.toMicros(1), 3);

  BenchClients(int httpClients) {
    for (int i = 0; i < httpClients; i++) {
      https.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build());
    }
  }

  /** Connects {@code count} clients, client i to session i % sessions, and waits for them all. */
  void connect(URI uri, String token, List<String> sessions, int count, boolean slow)
      throws InterruptedException {
    CountDownLatch subscribed = new CountDownLatch(count);
    List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String session = sessions.get(i % sessions.size());
      HttpClient http = https.get(i % https.size());
      pending.add(
          http.newWebSocketBuilder()
              .header("Authorization", "Bearer " + token)
              .buildAsync(uri, new Listener(subscribed, slow))
              .thenApply(
                  ws -> {
                    ws.sendText(
                        "{\"op\":\"subscribe\",\"id\":\"s\",\"sessionId\":\""
                            + session
                            + "\",\"from\":\"live\"}",
                        true);
                    return ws;
                  }));
      if (pending.size() >= 100) {
        pending.forEach(f -> sockets.add(f.join()));
        pending.clear();
      }
    }
    pending.forEach(f -> sockets.add(f.join()));
    if (!subscribed.await(2, TimeUnit.MINUTES)) {
      throw new IllegalStateException(subscribed.getCount() + " clients were never subscribed");
    }
  }

  long frames() {
    return frames.sum();
  }

  int closedByServer() {
    return closedByServer.get();
  }

  Recorder latency() {
    return latencyMicros;
  }

  @Override
  public void close() {
    for (WebSocket socket : sockets) {
      socket.abort();
    }
    // HttpClient has no close() before Java 21; its threads end with the clients.
    https.clear();
  }

  private final class Listener implements WebSocket.Listener {

    private final CountDownLatch subscribed;
    private final boolean slow;
    private final StringBuilder partial = new StringBuilder();
    private boolean counted;

    Listener(CountDownLatch subscribed, boolean slow) {
      this.subscribed = subscribed;
      this.slow = slow;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String frame = partial.toString();
        partial.setLength(0);
        if (!counted && frame.startsWith("{\"op\":\"subscribed\"")) {
          counted = true;
          subscribed.countDown();
          // A slow client stops here: the server's buffer for it fills up.
          if (slow) {
            return null;
          }
        } else if (frame.startsWith("{\"op\":\"event\"")) {
          frames.increment();
          record(frame);
        }
      }
      if (!slow || !counted) {
        webSocket.request(1);
      }
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closedByServer.incrementAndGet();
      return null;
    }

    private void record(String frame) {
      int at = frame.indexOf(RECEIVED_AT);
      if (at < 0) {
        return;
      }
      int start = at + RECEIVED_AT.length();
      int end = frame.indexOf('"', start);
      Instant receivedAt = Instant.parse(frame.substring(start, end));
      Instant now = Instant.now();
      long micros =
          (now.getEpochSecond() - receivedAt.getEpochSecond()) * 1_000_000
              + (now.getNano() - receivedAt.getNano()) / 1_000;
      latencyMicros.recordValue(Math.max(0, Math.min(micros, TimeUnit.MINUTES.toMicros(1))));
    }
  }
}
