package dev.agentfeed.deploy.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A realistic agent session (an agent fixing a bug: planning, thinking, a Grep and a Read, an edit
 * with {@code oldString}/{@code newString}, streamed messages, a failed test run, a fix, the
 * summary) replayed through the ingest HTTP API, paced so that a dashboard watcher sees it flow.
 *
 * <p>The events come from {@code demo-session.jsonl} next to this class: envelopes without {@code
 * id}, {@code orgId}, {@code sessionId} and {@code ts}, which every run fills in fresh, so each run
 * is a new session with new event ids.
 */
public final class DemoSession {

  static final String RESOURCE = "demo-session.jsonl";
  private static final DateTimeFormatter SESSION_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> SUMMARY_FIELDS =
      List.of(
          "toolName", "path", "phase", "title", "text", "message", "name", "summary", "thinkingId");
  private static final int SUMMARY_LENGTH = 60;

  private final JsonMapper mapper;
  private final List<ObjectNode> templates;
  private final Clock clock;

  /** What a replay did. */
  public record Result(
      String sessionId, int posted, int accepted, int duplicates, List<String> rejected) {}

  private DemoSession(JsonMapper mapper, List<ObjectNode> templates, Clock clock) {
    this.mapper = mapper;
    this.templates = templates;
    this.clock = clock;
  }

  /** The bundled session. */
  public static DemoSession load(Clock clock) {
    JsonMapper mapper = JsonMapper.builder().build();
    List<ObjectNode> templates = new ArrayList<>();
    try (InputStream in = DemoSession.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the launcher");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          templates.add((ObjectNode) mapper.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return new DemoSession(mapper, List.copyOf(templates), clock);
  }

  public int size() {
    return templates.size();
  }

  /** A new session id, e.g. {@code demo-20260130-120000-3f9a}: sortable, and unique per run. */
  public String newSessionId() {
    return "demo-"
        + SESSION_STAMP.format(clock.instant())
        + "-"
        + String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }

  /**
   * The {@code index}-th event of the session as an envelope of {@code orgId}/{@code sessionId},
   * with its id derived from the session id and its timestamp now.
   */
  public ObjectNode event(int index, String orgId, String sessionId) {
    ObjectNode template = templates.get(index);
    ObjectNode event = mapper.createObjectNode();
    event.put("id", sessionId + "." + String.format(Locale.ROOT, "%03d", index + 1));
    event.set("type", template.get("type"));
    event.put("orgId", orgId);
    event.put("sessionId", sessionId);
    template.properties().stream()
        .filter(field -> !event.has(field.getKey()) && !field.getKey().equals("data"))
        .forEach(field -> event.set(field.getKey(), field.getValue()));
    event.put("ts", clock.instant().toString());
    event.set("data", template.get("data").deepCopy());
    return event;
  }

  /**
   * Posts every event, as session {@code sessionId} of {@code orgId}, to {@code eventsUri} ({@code
   * POST /v1/events}), one request per event, {@code pace} apart, reporting each to {@code
   * progress}. Stops at the first answer that is not 202, since the next events would fail the same
   * way.
   */
  public Result replay(
      URI eventsUri,
      String ingestToken,
      String orgId,
      String sessionId,
      Duration pace,
      Consumer<String> progress)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    int accepted = 0;
    int duplicates = 0;
    List<String> rejected = new ArrayList<>();
    for (int i = 0; i < templates.size(); i++) {
      if (i > 0) {
        Thread.sleep(pace.toMillis());
      }
      ObjectNode event = event(i, orgId, sessionId);
      JsonNode answer = post(http, eventsUri, ingestToken, event);
      accepted += answer.path("accepted").asInt();
      duplicates += answer.path("duplicates").asInt();
      for (JsonNode rejection : answer.path("rejected")) {
        rejected.add(event.get("id").asString() + ": " + rejection.path("error").asString());
      }
      progress.accept(
          String.format(
              Locale.ROOT,
              "%2d/%d  %-22s %-8s %s",
              i + 1,
              templates.size(),
              event.get("type").asString(),
              answer.path("accepted").asInt() == 1 ? "accepted" : "REJECTED",
              summary(event.get("data"))));
    }
    return new Result(sessionId, templates.size(), accepted, duplicates, List.copyOf(rejected));
  }

  /** The field a watcher recognises the event by, shortened to one line. */
  private static String summary(JsonNode data) {
    for (String field : SUMMARY_FIELDS) {
      if (data.path(field).isString()) {
        String text = data.get(field).asString().replaceAll("\\s+", " ").strip();
        return text.length() <= SUMMARY_LENGTH ? text : text.substring(0, SUMMARY_LENGTH - 1) + "…";
      }
    }
    return "";
  }

  private JsonNode post(HttpClient http, URI eventsUri, String token, ObjectNode event)
      throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(eventsUri)
            .timeout(REQUEST_TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(event)))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot post to " + eventsUri + ": " + e.getMessage(), e);
    }
    if (response.statusCode() != 202) {
      throw new IllegalStateException(
          "ingest answered "
              + response.statusCode()
              + " to "
              + event.get("type").asString()
              + ": "
              + response.body());
    }
    return mapper.readTree(response.body());
  }
}
