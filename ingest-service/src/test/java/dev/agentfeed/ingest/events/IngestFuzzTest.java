package dev.agentfeed.ingest.events;

import static dev.agentfeed.ingest.events.RunningIngest.ORG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.ingest.TestResources;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends 10,000 mutated and random requests to the running service — broken JSON, wrong types, huge
 * strings, deep nesting, bad UTF-8, odd content types and methods, traversal-like ids in bodies and
 * paths, foreign, expired and forged tokens — and expects a 2xx or 4xx for every one, then a
 * healthy service that still stores a valid event. The generator is seeded: the seed is logged and
 * named in every failure; {@code -Dfuzz.seed=N} repeats a run.
 */
class IngestFuzzTest {

  private static final Logger log = LoggerFactory.getLogger(IngestFuzzTest.class);

  private static final int REQUESTS = 10_000;

  private static final int SENDERS = 4;

  private static RunningIngest ingest;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @BeforeAll
  static void start() {
    // A small request limit keeps the oversized bodies cheap; the rate limit is the default.
    ingest = RunningIngest.start("agentfeed.ingest.max-request-size=1MB");
  }

  @AfterAll
  static void stop() {
    ingest.close();
  }

  /** One request, described for the failure message. */
  private record Fuzz(
      String description, String method, String path, List<String> headers, byte[] body) {}

  @Test
  void shouldAnswerEveryMalformedRequestWithA2xxOr4xxAndStayHealthy() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    log.info(
        "Fuzzing ingest with {} requests, seed {} (-Dfuzz.seed={} repeats it)",
        REQUESTS,
        seed,
        seed);
    Generator generator = new Generator(tokens());
    Queue<String> serverErrors = new ConcurrentLinkedQueue<>();
    AtomicIntegerArray byClass = new AtomicIntegerArray(6);
    // A few requests at a time, each from its own seeded generator: the same seed sends the same
    // requests whatever the interleaving.
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int s = 0; s < SENDERS; s++) {
        int first = s;
        running.add(
            senders.submit(
                () -> {
                  for (int i = first; i < REQUESTS; i += SENDERS) {
                    Fuzz fuzz = generator.next(i, new Random(seed * 1_000_003L + i));
                    int status = send(fuzz);
                    byClass.incrementAndGet(Math.min(status / 100, 5));
                    if (status < 200 || status >= 500) {
                      serverErrors.add("#" + i + " " + status + " " + fuzz.description());
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> sender : running) {
        sender.get();
      }
    } finally {
      senders.shutdownNow();
    }
    log.info(
        "Fuzz answers: {} 2xx, {} 4xx, {} 5xx (seed {})",
        byClass.get(2),
        byClass.get(4),
        byClass.get(5),
        seed);

    assertThat(serverErrors).as("answers that are not 2xx/4xx, seed " + seed).isEmpty();
    assertThat(ingest.get("/actuator/health").statusCode()).isEqualTo(200);
    String session = RunningIngest.newSession();
    String valid = RunningIngest.event("after-fuzz", ORG, session);
    assertThat(ingest.post(ingest.ingestToken(ORG), RunningIngest.JSON, valid).statusCode())
        .isEqualTo(202);
    assertThat(ingest.storedFor(ORG, session)).isEqualTo(ingest.asStored(valid));
  }

  private int send(Fuzz fuzz) throws InterruptedException {
    URI uri;
    try {
      uri = ingest.uri(fuzz.path());
    } catch (IllegalArgumentException e) {
      // Not a URI a client could send at all: nothing to ask the server.
      return 400;
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .method(fuzz.method(), HttpRequest.BodyPublishers.ofByteArray(fuzz.body()));
    for (int h = 0; h + 1 < fuzz.headers().size(); h += 2) {
      request.header(fuzz.headers().get(h), fuzz.headers().get(h + 1));
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      // The server may close the connection after answering a body it will not read to its end
      // (over the size limit); the answer was a 4xx then. Ask again the cheap way to be sure the
      // server is alive, and count the exchange as refused.
      assertThat(ingest.get("/actuator/health").statusCode())
          .as("health after a dropped connection for " + fuzz.description())
          .isEqualTo(200);
      return 413;
    }
  }

  /** Tokens the fuzzer picks from: valid, foreign, confined, read-only, expired, forged, junk. */
  private static List<Supplier<String>> tokens() {
    TokenMinter expired =
        new TokenMinter(
            RunningIngest.SECRET,
            Clock.fixed(Instant.parse("2020-01-01T00:00:00Z"), ZoneOffset.UTC));
    TokenMinter forged =
        new TokenMinter("some-other-secret-0123456789abcdef-0123456789", Clock.systemUTC());
    return List.of(
        () -> ingest.ingestToken(ORG),
        () -> ingest.ingestToken(ORG),
        () -> ingest.ingestToken(ORG),
        () -> ingest.ingestToken("other-org"),
        () -> ingest.token(ORG, "ses-confined", Scope.INGEST),
        () -> ingest.token(ORG, null, Scope.READ),
        () -> expired.mint(ORG, List.of(Scope.INGEST), null, Duration.ofMinutes(1)),
        () -> forged.mint(ORG, List.of(Scope.INGEST), null, Duration.ofMinutes(10)),
        () -> "not-a-jwt",
        () -> "eyJhbGciOiJub25lIn0.eyJvcmciOiJhY21lIn0.",
        () -> null);
  }

  /** Makes the requests: mutations of valid bodies, and junk. */
  private static final class Generator {

    private static final String[] CONTENT_TYPES = {
      "application/json",
      "application/json",
      "application/x-ndjson",
      "application/x-ndjson",
      "application/json; charset=ISO-8859-1",
      "text/plain",
      "application/xml",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
      "a/b/c",
      ";;;",
      ""
    };

    private static final String[] IDS = {
      "ses-1",
      "../../etc/passwd",
      "..%2f..%2fadmin",
      "%00",
      "a b",
      "ses/../../x",
      "ses\\..\\x",
      "x".repeat(129),
      "",
      "ünïcödé",
      "ses-1%0d%0aX-Injected:1",
      ".."
    };

    private static final String[] VALUES = {
      "null",
      "true",
      "0",
      "-1",
      "1e308",
      "\"\"",
      "[]",
      "{}",
      "\"x\"",
      "[1,2,3]",
      "{\"a\":null}",
      "123456789012345678901234567890",
      "\"\\ud800\"",
      "NaN"
    };

    private final List<Supplier<String>> tokens;
    private final List<String> samples;

    Generator(List<Supplier<String>> tokens) throws IOException {
      this.tokens = tokens;
      this.samples = new ArrayList<>();
      samples.add(RunningIngest.event("fz-1", ORG, "ses-fuzz"));
      samples.addAll(TestResources.text("claude-code/sample.jsonl").lines().toList());
    }

    Fuzz next(int i, Random random) {
      return new Request(random).make(i);
    }

    /** One request's choices, all from its own generator. */
    private final class Request {

      private final Random random;

      Request(Random random) {
        this.random = random;
      }

      Fuzz make(int i) {
        String token = pick(tokens).get();
        List<String> headers = new ArrayList<>();
        if (token != null) {
          headers.add("Authorization");
          headers.add(random.nextInt(20) == 0 ? "Basic " + token : "Bearer " + token);
        }
        String contentType = pick(CONTENT_TYPES);
        if (!contentType.isEmpty()) {
          headers.add("Content-Type");
          headers.add(contentType);
        }
        if (random.nextInt(50) == 0) {
          headers.add("Content-Encoding");
          headers.add("gzip");
        }
        String path = path();
        String method =
            random.nextInt(25) == 0 ? pick(new String[] {"GET", "PUT", "DELETE", "PATCH"}) : "POST";
        // Weighted: the heavy kinds (huge strings, deep nesting) are rarer, to keep the run short.
        int roll = random.nextInt(100);
        int kind =
            roll < 15
                ? 0
                : roll < 28
                    ? 1
                    : roll < 33
                        ? 2
                        : roll < 36
                            ? 3
                            : roll < 48
                                ? 4
                                : roll < 60 ? 5 : roll < 70 ? 6 : roll < 80 ? 7 : roll < 90 ? 8 : 9;
        byte[] body;
        String what;
        switch (kind) {
          case 0 -> {
            body = mutateBytes(sample().getBytes(StandardCharsets.UTF_8));
            what = "bytes mutated";
          }
          case 1 -> {
            body = wrongTypes(sample()).getBytes(StandardCharsets.UTF_8);
            what = "wrong types";
          }
          case 2 -> {
            body = deepNesting().getBytes(StandardCharsets.UTF_8);
            what = "deep nesting";
          }
          case 3 -> {
            body = hugeString(i).getBytes(StandardCharsets.UTF_8);
            what = "huge string";
          }
          case 4 -> {
            body = badUtf8(sample().getBytes(StandardCharsets.UTF_8));
            what = "bad UTF-8";
          }
          case 5 -> {
            body = traversalIds(sample()).getBytes(StandardCharsets.UTF_8);
            what = "odd ids";
          }
          case 6 -> {
            body = randomBytes(random.nextInt(2000));
            what = "random bytes";
          }
          case 7 -> {
            body = manyLines().getBytes(StandardCharsets.UTF_8);
            what = "many mutated lines";
          }
          case 8 -> {
            body = truncated(sample()).getBytes(StandardCharsets.UTF_8);
            what = "truncated";
          }
          default -> {
            body = sample().getBytes(StandardCharsets.UTF_8);
            what = "unchanged sample";
          }
        }
        return new Fuzz(
            what + ", " + method + " " + path + ", " + contentType + ", " + body.length + " bytes",
            method,
            path,
            headers,
            body);
      }

      private String path() {
        int choice = random.nextInt(10);
        if (choice < 5) {
          return "/v1/events";
        }
        if (choice < 9) {
          return "/v1/sessions/" + pick(IDS).replace(" ", "%20") + "/claude-code";
        }
        return pick(
            new String[] {
              "/v1/events/../events",
              "/v1//events",
              "/v1/sessions//claude-code",
              "/v1/events?x=%zz",
              "/actuator/env",
              "/v1/sessions/ses-1/claude-code/extra",
              "/%2e%2e/%2e%2e/etc/passwd"
            });
      }

      private String sample() {
        return samples.get(random.nextInt(samples.size()));
      }

      private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
      }

      private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
      }

      private byte[] mutateBytes(byte[] bytes) {
        byte[] copy = bytes.clone();
        int changes = 1 + random.nextInt(8);
        for (int c = 0; c < changes && copy.length > 0; c++) {
          copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        return copy;
      }

      private String wrongTypes(String json) {
        String result = json;
        for (String field :
            new String[] {
              "id", "type", "orgId", "sessionId", "ts", "data", "message", "content", "uuid"
            }) {
          if (random.nextBoolean()) {
            result =
                result.replaceFirst(
                    "\"" + field + "\":(\"[^\"]*\"|\\{[^}]*\\}|[^,}]*)",
                    "\"" + field + "\":" + java.util.regex.Matcher.quoteReplacement(pick(VALUES)));
          }
        }
        return result;
      }

      private String deepNesting() {
        int depth = random.nextInt(10) == 0 ? 20_000 : 100 + random.nextInt(1_000);
        boolean array = random.nextBoolean();
        String open = array ? "[" : "{\"a\":";
        String close = array ? "]" : "}";
        String inner = open.repeat(depth) + "1" + close.repeat(depth);
        return random.nextBoolean()
            ? inner
            : RunningIngest.event("fz-deep", ORG, "ses-fuzz")
                .replace("\"success\":true", "\"deep\":" + inner);
      }

      private String hugeString(int i) {
        // Mostly just over the event limit (256 KB); now and then over the request limit (1 MB).
        int size = i % 200 == 0 ? 1_100_000 : 200_000 + random.nextInt(100_000);
        return RunningIngest.event("fz-huge", ORG, "ses-fuzz")
            .replace("\"toolName\":\"Read\"", "\"toolName\":\"" + "A".repeat(size) + "\"");
      }

      private byte[] badUtf8(byte[] bytes) {
        byte[][] bad = {
          {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF},
          {(byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {0}
        };
        byte[] insert = bad[random.nextInt(bad.length)];
        int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
        byte[] out = new byte[bytes.length + insert.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(bytes, at, out, at + insert.length, bytes.length - at);
        return out;
      }

      private String traversalIds(String json) {
        return json.replace("ses-fuzz", pick(IDS))
            .replace(
                "\"acme\"", "\"" + pick(new String[] {"acme", "other-org", "../acme", ""}) + "\"")
            .replace("\"fz-1\"", "\"" + pick(IDS).replace("\"", "") + "\"");
      }

      private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
      }

      private String manyLines() {
        StringBuilder lines = new StringBuilder();
        int count = 1 + random.nextInt(30);
        for (int l = 0; l < count; l++) {
          String line = sample();
          lines
              .append(random.nextInt(4) == 0 ? truncated(line) : line)
              .append(random.nextBoolean() ? "\n" : "\r\n");
        }
        return lines.toString();
      }

      private String truncated(String text) {
        return text.substring(0, random.nextInt(text.length() + 1));
      }
    }
  }
}
