package dev.agentfeed.ingest.events;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.ingest.IngestProperties;
import dev.agentfeed.ingest.redaction.SecretRedactor;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventValidator;
import java.time.Clock;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Everything that happens to one incoming event on its own, in this order: the size limit, the
 * contract ({@link EventValidator}), the caller's right to write the event's org and session,
 * secret redaction in {@code data} ({@link SecretRedactor}) and the receipt time. Redaction comes
 * after validation, so that a rejected event costs no scan and the producer's field paths in
 * rejections are unaffected. It reads and writes nothing; body formats, duplicates and Kafka are
 * handled per request elsewhere, so a further per-event step (such as redaction) belongs here.
 */
@Component
final class EventChecks {

  /** What became of one event. */
  sealed interface Outcome permits Accepted, Rejected, Forbidden {}

  /** Fit to be stored, with {@code receivedAt} set. */
  record Accepted(EventEnvelope event) implements Outcome {}

  /** Not fit to be stored; the rest of the request goes on. */
  record Rejected(Rejection rejection) implements Outcome {}

  /** Of an org or session the token may not write; the request is refused. */
  record Forbidden(int index, String reason) implements Outcome {}

  private final EventValidator validator;
  private final ObjectMapper mapper;
  private final long maxEventBytes;
  private final SecretRedactor redactor;
  private final Clock clock;

  EventChecks(
      EventValidator validator,
      EventCodec codec,
      IngestProperties properties,
      SecretRedactor redactor,
      Clock clock) {
    this.validator = validator;
    this.redactor = redactor;
    this.mapper = codec.mapper();
    this.maxEventBytes = properties.maxEventSize().toBytes();
    this.clock = clock;
  }

  /** Checks an event that has been parsed already and took {@code size} bytes of the body. */
  Outcome check(int index, JsonNode event, long size, Caller caller) {
    if (size > maxEventBytes) {
      return tooLarge(index, size);
    }
    EventValidator.Result result = validator.validate(event);
    if (result instanceof EventValidator.Invalid invalid) {
      return new Rejected(new Rejection(index, invalid.message()));
    }
    EventEnvelope valid = ((EventValidator.Valid) result).event();
    Optional<String> refusal = refusal(caller, valid);
    if (refusal.isPresent()) {
      return new Forbidden(index, "the event at index " + index + " " + refusal.get());
    }
    // data is this request's own parse of the body, so it is redacted in place.
    redactor.redact(valid.data());
    return new Accepted(valid.withReceivedAt(clock.instant()));
  }

  /** Checks one NDJSON line, which is parsed here so that a broken line rejects only itself. */
  Outcome checkLine(int index, byte[] line, Caller caller) {
    if (line.length > maxEventBytes) {
      return tooLarge(index, line.length);
    }
    ParsedLine parsed = parseLine(index, line);
    if (parsed.rejected() != null) {
      return parsed.rejected();
    }
    return check(index, parsed.json(), line.length, caller);
  }

  /** One line parsed: its single JSON value, or why it holds none. */
  record ParsedLine(JsonNode json, Rejected rejected) {}

  /** Parses one line holding exactly one JSON value. */
  ParsedLine parseLine(int index, byte[] line) {
    try (JsonParser parser = mapper.createParser(line)) {
      if (parser.nextToken() == null) {
        return new ParsedLine(
            null, notJson(index, "no JSON value on the line", parser.currentLocation()));
      }
      // Read as a tree here, not with readTree(parser), so that a second value gets our message.
      JsonNode json = parser.readValueAsTree();
      if (parser.nextToken() != null) {
        return new ParsedLine(
            null,
            notJson(index, "more than one JSON value on the line", parser.currentTokenLocation()));
      }
      return new ParsedLine(json, null);
    } catch (JacksonException e) {
      return new ParsedLine(null, notJson(index, JsonErrors.describe(e), e.getLocation()));
    }
  }

  private static Rejected notJson(int index, String problem, TokenStreamLocation location) {
    String column = location == null ? "" : " at column " + location.getColumnNr();
    return new Rejected(new Rejection(index, "not valid JSON: " + problem + column));
  }

  /** An event over the size limit; NDJSON lines this large are not even kept in memory. */
  Outcome tooLarge(int index, long size) {
    return new Rejected(
        new Rejection(index, "event is " + size + " bytes; the limit is " + maxEventBytes));
  }

  private static Optional<String> refusal(Caller caller, EventEnvelope event) {
    if (!caller.orgId().equals(event.orgId())) {
      return Optional.of(
          "is for org '" + event.orgId() + "' but the token is for org '" + caller.orgId() + "'");
    }
    return caller
        .sessionId()
        .filter(session -> !session.equals(event.sessionId()))
        .map(
            session ->
                "is for session '"
                    + event.sessionId()
                    + "' but the token is confined to session '"
                    + session
                    + "'");
  }
}
