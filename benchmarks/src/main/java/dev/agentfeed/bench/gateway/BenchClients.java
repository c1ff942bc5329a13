package dev.agentfeed.bench.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
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
 * reads everything, records per event frame the time from the event's {@code receivedAt} to its
 * arrival, and checks that its events follow on seq by seq (no gap, no duplicate); a slow one reads
 * one frame and then nothing more.
 */
final class BenchClients implements AutoCloseable {

  private static final String SUBSCRIBED = "{\"op\":\"subscribed\"";
  private static final String EVENT = "{\"op\":\"event\"";
  private static final String RECEIVED_AT = "\"receivedAt\":\"";
  private static final String SEQ = "\"seq\":";

  private final List<WebSocket> sockets = new ArrayList<>();
  private final List<HttpClient> https = new ArrayList<>();
  private final LongAdder frames = new LongAdder();
  private final LongAdder gaps = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder malformed = new LongAdder();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private final Recorder latencyMicros = new Recorder(TimeUnit.MINUTES.toMicros(1), 3);

  BenchClients(int httpClients) {
    for (int i = 0; i < httpClients; i++) {
      https.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build());
    }
  }

  /**
   * Connects {@code count} clients, client i (counting from {@code first}) to session i % sessions
   * (or to the whole organisation), and waits until they are all subscribed.
   */
  void connect(
      URI uri,
      String token,
      List<String> sessions,
      int first,
      int count,
      boolean slow,
      boolean orgWide)
      throws InterruptedException {
    CountDownLatch subscribed = new CountDownLatch(count);
    List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String session = sessions.get((first + i) % sessions.size());
      HttpClient http = https.get(i % https.size());
      pending.add(
          http.newWebSocketBuilder()
              .header("Authorization", "Bearer " + token)
              .buildAsync(uri, new Listener(subscribed, slow))
              .thenApply(
                  ws -> {
                    ws.sendText(
                        orgWide
                            ? "{\"op\":\"subscribe\",\"id\":\"s\",\"orgWide\":true,\"from\":\"live\"}"
                            : "{\"op\":\"subscribe\",\"id\":\"s\",\"sessionId\":\""
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

  /** Events that skipped over seqs the client never got. */
  long gaps() {
    return gaps.sum();
  }

  /** Events that repeated or went back to a seq the client had already got. */
  long duplicates() {
    return duplicates.sum();
  }

  /** Event frames without a readable receivedAt and seq. */
  long malformed() {
    return malformed.sum();
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
    // Pieces of a frame that came in several; most come in one and skip it.
    private final StringBuilder partial = new StringBuilder();
    private boolean counted;
    // The seq of the last event received: a live subscription's events must follow on by one.
    private long lastSeq = -1;

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
      if (!last) {
        partial.append(data);
      } else {
        CharSequence frame = data;
        if (partial.length() > 0) {
          frame = partial.append(data).toString();
          partial.setLength(0);
        }
        if (!counted && startsWith(frame, SUBSCRIBED)) {
          counted = true;
          subscribed.countDown();
          // A slow client stops here: the server's buffer for it fills up.
          if (slow) {
            return null;
          }
        } else if (startsWith(frame, EVENT)) {
          frames.increment();
          onEvent(frame);
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

    /**
     * Records the latency and checks the order. Only the two fields needed are read, in place: a
     * full JSON parse per frame would make the clients, on the gateway's cores, the bottleneck.
     */
    private void onEvent(CharSequence frame) {
      long nowMicros = nowMicros();
      // Both fields follow the event's data, near the end of the frame: look from there.
      int at = lastIndexOf(frame, RECEIVED_AT);
      if (at < 0) {
        malformed.increment();
        return;
      }
      long receivedAtMicros = parseInstantMicros(frame, at + RECEIVED_AT.length());
      int seqAt = indexOf(frame, SEQ, at);
      if (receivedAtMicros < 0 || seqAt < 0) {
        malformed.increment();
        return;
      }
      long seq = parseLong(frame, seqAt + SEQ.length());
      if (lastSeq >= 0 && seq != lastSeq + 1) {
        if (seq <= lastSeq) {
          duplicates.increment();
        } else {
          gaps.increment();
        }
      }
      lastSeq = Math.max(lastSeq, seq);
      long micros = nowMicros - receivedAtMicros;
      latencyMicros.recordValue(Math.max(0, Math.min(micros, TimeUnit.MINUTES.toMicros(1))));
    }
  }

  private static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }

  private static boolean startsWith(CharSequence text, String prefix) {
    if (text.length() < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (text.charAt(i) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(CharSequence text, String needle, int from) {
    int last = text.length() - needle.length();
    char first = needle.charAt(0);
    for (int i = from; i <= last; i++) {
      if (text.charAt(i) != first) {
        continue;
      }
      int j = 1;
      while (j < needle.length() && text.charAt(i + j) == needle.charAt(j)) {
        j++;
      }
      if (j == needle.length()) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexOf(CharSequence text, String needle) {
    for (int i = text.length() - needle.length(); i >= 0; i--) {
      int j = 0;
      while (j < needle.length() && text.charAt(i + j) == needle.charAt(j)) {
        j++;
      }
      if (j == needle.length()) {
        return i;
      }
    }
    return -1;
  }

  private static long parseLong(CharSequence text, int at) {
    long value = 0;
    for (int i = at; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
      value = value * 10 + (text.charAt(i) - '0');
    }
    return value;
  }

  /**
   * An ISO-8601 UTC instant as Jackson writes it ({@code 2026-11-24T06:11:18.016123Z}, fraction
   * optional) in microseconds since the epoch, without {@code Instant.parse}'s formatter; -1 when
   * it is not one.
   */
  static long parseInstantMicros(CharSequence text, int at) {
    if (text.length() < at + 20
        || text.charAt(at + 4) != '-'
        || text.charAt(at + 10) != 'T'
        || text.charAt(at + 13) != ':') {
      return -1;
    }
    long day =
        LocalDate.of(
                (int) digits(text, at, 4),
                (int) digits(text, at + 5, 2),
                (int) digits(text, at + 8, 2))
            .toEpochDay();
    long seconds =
        day * 86_400
            + digits(text, at + 11, 2) * 3600
            + digits(text, at + 14, 2) * 60
            + digits(text, at + 17, 2);
    long micros = 0;
    int i = at + 19;
    if (text.charAt(i) == '.') {
      int scale = 100_000;
      for (i++; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
        micros += (text.charAt(i) - '0') * scale;
        scale /= 10;
      }
    }
    return i < text.length() && text.charAt(i) == 'Z' ? seconds * 1_000_000 + micros : -1;
  }

  private static long digits(CharSequence text, int at, int count) {
    long value = 0;
    for (int i = at; i < at + count; i++) {
      value = value * 10 + (text.charAt(i) - '0');
    }
    return value;
  }
}
