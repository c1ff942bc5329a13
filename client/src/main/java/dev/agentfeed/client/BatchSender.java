package dev.agentfeed.client;

import dev.agentfeed.client.AgentfeedClient.Pending;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Posts one batch to {@code /v1/events} until it is settled: retries what may succeed later, splits
 * what is too large, and reports what will never be stored. Used by the client's one sender thread
 * only; the counters are read from any thread.
 */
final class BatchSender {

  private static final Logger log = LoggerFactory.getLogger(BatchSender.class);

  private final URI events;
  private final Supplier<String> token;
  private final Duration requestTimeout;
  private final Duration giveUpAfter;
  private final Backoff backoff;
  private final AgentfeedClient.Sleeper sleeper;
  private final Clock clock;
  private final DeliveryListener listener;
  private final HttpClient http;
  private final JsonMapper json = JsonMapper.builder().build();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();

  BatchSender(
      URI events,
      Supplier<String> token,
      Duration requestTimeout,
      Duration giveUpAfter,
      Backoff backoff,
      AgentfeedClient.Sleeper sleeper,
      Clock clock,
      DeliveryListener listener) {
    this.events = events;
    this.token = token;
    this.requestTimeout = requestTimeout;
    this.giveUpAfter = giveUpAfter;
    this.backoff = backoff;
    this.sleeper = sleeper;
    this.clock = clock;
    this.listener = listener;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  ClientStats stats(int buffered) {
    return new ClientStats(
        accepted.get(), duplicates.get(), rejected.get(), failed.get(), retries.get(), buffered);
  }

  /**
   * Sends the batch until it is settled.
   *
   * @throws InterruptedException when the client is closed meanwhile; the batch is failed first
   */
  void deliver(List<Pending> batch) throws InterruptedException {
    Instant giveUpAt = clock.instant().plus(giveUpAfter);
    int attempt = 0;
    while (true) {
      attempt++;
      HttpResponse<String> response;
      try {
        response = http.send(request(batch), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        log.debug("Posting {} events to {} failed (attempt {})", batch.size(), events, attempt, e);
        if (!waitToRetry(batch, attempt, Optional.empty(), giveUpAt, e.toString())) {
          return;
        }
        continue;
      } catch (InterruptedException e) {
        fail(batch, "the client was closed before ingest answered");
        throw e;
      }
      int status = response.statusCode();
      if (status == 202) {
        settle(batch, body(response));
        return;
      }
      if (status == 400 && body(response).has("rejected")) {
        rejectAll(batch, body(response));
        return;
      }
      if (status == 413 && batch.size() > 1) {
        // Too large as a whole (bytes, or events of one session over its burst): halve it.
        deliver(batch.subList(0, batch.size() / 2));
        deliver(batch.subList(batch.size() / 2, batch.size()));
        return;
      }
      String problem = "HTTP " + status + ": " + detail(response);
      if (status == 413) {
        reject(batch.get(0), problem);
        return;
      }
      if (status == 429 || status >= 500) {
        if (!waitToRetry(
            batch, attempt, response.headers().firstValue("Retry-After"), giveUpAt, problem)) {
          return;
        }
        continue;
      }
      log.warn("Ingest refused {} events for good: {}", batch.size(), problem);
      fail(batch, problem);
      return;
    }
  }

  /** Waits before the next attempt; false (and the batch failed) when that is past giving up. */
  private boolean waitToRetry(
      List<Pending> batch, int attempt, Optional<String> retryAfter, Instant giveUpAt, String why)
      throws InterruptedException {
    Duration delay = backoff.delay(attempt, retryAfter);
    if (clock.instant().plus(delay).isAfter(giveUpAt)) {
      fail(batch, "gave up after " + attempt + " attempts over " + giveUpAfter + "; last: " + why);
      return false;
    }
    retries.incrementAndGet();
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      fail(batch, "the client was closed while waiting to retry; last: " + why);
      throw e;
    }
    return true;
  }

  private HttpRequest request(List<Pending> batch) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write('[');
    for (int i = 0; i < batch.size(); i++) {
      if (i > 0) {
        body.write(',');
      }
      body.writeBytes(batch.get(i).json());
    }
    body.write(']');
    return HttpRequest.newBuilder(events)
        .timeout(requestTimeout)
        .header("Authorization", "Bearer " + token.get())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
        .build();
  }

  /** A 202: the batch is stored but for the events listed as rejected. */
  private void settle(List<Pending> batch, JsonNode report) {
    rejectListed(batch, report);
    accepted.addAndGet(report.path("accepted").asLong(0));
    duplicates.addAndGet(report.path("duplicates").asLong(0));
    // Events beyond the listed rejections (over 1,000 of them) cannot be told apart: count them.
    rejected.addAndGet(report.path("rejectedNotListed").asLong(0));
  }

  /** A 400 with rejections: no event of the batch was valid. */
  private void rejectAll(List<Pending> batch, JsonNode problem) {
    Set<Integer> refused = rejectListed(batch, problem);
    for (int i = 0; i < batch.size(); i++) {
      if (!refused.contains(i)) {
        reject(batch.get(i), problem.path("detail").asString("rejected by ingest"));
      }
    }
  }

  private Set<Integer> rejectListed(List<Pending> batch, JsonNode answer) {
    Set<Integer> refused = new HashSet<>();
    for (JsonNode rejection : answer.path("rejected")) {
      int index = rejection.path("index").asInt(-1);
      if (index >= 0 && index < batch.size() && refused.add(index)) {
        reject(batch.get(index), rejection.path("error").asString(""));
      }
    }
    return refused;
  }

  private void reject(Pending pending, String error) {
    rejected.incrementAndGet();
    log.debug("Ingest rejected event {}: {}", pending.event().id(), error);
    listener.rejected(pending.event(), error);
  }

  void fail(List<Pending> batch, String reason) {
    failed.addAndGet(batch.size());
    for (Pending pending : batch) {
      listener.failed(pending.event(), reason);
    }
  }

  private JsonNode body(HttpResponse<String> response) {
    try {
      return json.readTree(response.body());
    } catch (JacksonException e) {
      return json.createObjectNode();
    }
  }

  private String detail(HttpResponse<String> response) {
    JsonNode body = body(response);
    String detail = body.path("detail").asString("");
    if (!detail.isEmpty()) {
      return detail;
    }
    String text = response.body();
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }
}
