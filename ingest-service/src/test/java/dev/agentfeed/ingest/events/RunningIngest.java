package dev.agentfeed.ingest.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.ingest.IngestApplication;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Topics;
import dev.agentfeed.testing.KafkaTestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ingest service as another module would run it: an in-process Kafka broker, the application
 * started through {@link IngestApplication#application()} on a random port with a clock that moves
 * only when a test says so ({@link SettableClock}), an HTTP client, tokens, and a way to read back
 * what reached {@code events.raw}.
 */
final class RunningIngest implements AutoCloseable {

  static final String SECRET = "ingest-test-secret-0123456789abcdef-0123456789";
  static final String ORG = "acme";
  static final String NDJSON = "application/x-ndjson";
  static final String JSON = "application/json";

  /** What the service's clock says at start; every stored event has it as receivedAt. */
  final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  /** The service's clock; it stands still unless a test moves it. */
  final SettableClock clock = new SettableClock(now);

  final EventCodec codec = new EventCodec();
  final JsonMapper json = JsonMapper.builder().build();
  private final EmbeddedKafkaBroker broker;
  private final ConfigurableApplicationContext app;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final TokenMinter minter = new TokenMinter(SECRET, Clock.systemUTC());
  private final URI base;
  private final String rawTopic = Topics.withDefaultPrefix().raw();
  private boolean brokerStopped;

  private RunningIngest(String... properties) {
    broker = KafkaTestBroker.start(2);
    SpringApplication application = IngestApplication.application();
    application.addInitializers(
        context ->
            ((GenericApplicationContext) context)
                .registerBean(
                    "fixedClock", Clock.class, () -> clock, bean -> bean.setPrimary(true)));
    String[] arguments =
        Stream.concat(
                Stream.of(
                    "--server.port=0",
                    "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                    "--agentfeed.security.jwt.secret=" + SECRET,
                    "--agentfeed.topics.partitions=2"),
                Arrays.stream(properties).map(p -> "--" + p))
            .toArray(String[]::new);
    app = application.run(arguments);
    int port = ((WebServerApplicationContext) app).getWebServer().getPort();
    base = URI.create("http://localhost:" + port);
  }

  /** Starts a broker and the service with these extra properties ({@code name=value}). */
  static RunningIngest start(String... properties) {
    return new RunningIngest(properties);
  }

  <T> T bean(Class<T> type) {
    return app.getBean(type);
  }

  /** Stops the broker for good, as in an outage; the service keeps running. */
  void stopBroker() {
    brokerStopped = true;
    broker.destroy();
  }

  @Override
  public void close() {
    app.close();
    if (!brokerStopped) {
      broker.destroy();
    }
  }

  // ---- tokens and requests

  String token(String org, String session, Scope... scopes) {
    return minter.mint(org, List.of(scopes), session, Duration.ofMinutes(10));
  }

  String ingestToken(String org) {
    return token(org, null, Scope.INGEST);
  }

  /** The problem document /v1/events answers with, as the tests expect it whole. */
  ObjectNode problem(int status, String title, String detail) {
    return json.createObjectNode()
        .put("detail", detail)
        .put("instance", "/v1/events")
        .put("status", status)
        .put("title", title);
  }

  HttpResponse<String> post(String token, String contentType, String body) {
    return post(token, contentType, HttpRequest.BodyPublishers.ofString(body));
  }

  HttpResponse<String> post(String token, String contentType, HttpRequest.BodyPublisher body) {
    return postTo("/v1/events", token, contentType, body);
  }

  HttpResponse<String> postTo(
      String path, String token, String contentType, HttpRequest.BodyPublisher body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).POST(body);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return send(request.build());
  }

  /** The service's URI for {@code path}, for requests the helpers here cannot make. */
  URI uri(String path) {
    return base.resolve(path);
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET().build());
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  JsonNode body(HttpResponse<String> response) {
    return json.readTree(response.body());
  }

  JsonNode parse(String text) {
    return json.readTree(text);
  }

  // ---- events

  /** A valid {@code tool.completed} event on one line. */
  static String event(String id, String org, String session) {
    return event(id, org, session, "Read");
  }

  static String event(String id, String org, String session, String toolName) {
    return ("{'id':'%s','type':'tool.completed','orgId':'%s','sessionId':'%s',"
            + "'agentId':'executor','source':'sandbox/sbx-1','ts':'2026-01-30T12:00:00.123Z',"
            + "'data':{'toolId':'toolu_01','toolName':'%s','durationMs':320,'success':true}}")
        .formatted(id, org, session, toolName)
        .replace('\'', '"');
  }

  static String newSession() {
    return "ses-" + UUID.randomUUID();
  }

  /** A record of events.raw: its key and its event. */
  record Stored(String key, EventEnvelope event) {}

  /** How the given events look once stored: keyed by session, with receivedAt set. */
  List<Stored> asStored(String... events) {
    return Arrays.stream(events)
        .map(codec::fromJson)
        .map(e -> new Stored(e.sessionId(), e.withReceivedAt(now)))
        .toList();
  }

  /**
   * Every record of events.raw keyed by {@code session}, in order. Writes a marker event to the
   * session first and reads until it arrives: the session's records share a partition, so whatever
   * was written before the marker has been read by then, and absence can be asserted.
   */
  List<Stored> storedFor(String org, String session) {
    String marker = "marker-" + UUID.randomUUID();
    assertThat(post(ingestToken(org), JSON, event(marker, org, session)).statusCode())
        .isEqualTo(202);
    return readUntil(session, marker).stream().filter(s -> !s.event().id().equals(marker)).toList();
  }

  /** Waits until the event with this id is in events.raw. */
  void awaitStored(String session, String eventId) {
    readUntil(session, eventId);
  }

  /** The records keyed by {@code session} from the start up to the one with {@code eventId}. */
  private List<Stored> readUntil(String session, String eventId) {
    List<Stored> stored = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(rawTopic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> record :
                    consumer.poll(Duration.ofMillis(100))) {
                  if (session.equals(record.key())) {
                    stored.add(new Stored(record.key(), codec.fromBytes(record.value())));
                  }
                }
                return stored.stream().anyMatch(s -> s.event().id().equals(eventId));
              });
    }
    return stored;
  }

  private KafkaConsumer<String, byte[]> consumer() {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.getBrokersAsString(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            "false"),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }
}
