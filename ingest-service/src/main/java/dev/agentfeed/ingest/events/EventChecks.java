package dev.agentfeed.ingest.events;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.ingest.IngestProperties;
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
 * contract ({@link EventValidator}), the caller's right to write the event's org and session, and
 * the receipt time. It reads and writes nothing; body formats, duplicates and Kafka are handled per
 * request elsewhere, so a further per-event step (such as redaction) belongs here.
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
  private final Clock clock;

  EventChecks(
      EventValidator validator, EventCodec codec, IngestProperties properties, Clock clock) {
    this.validator = validator;
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
    return new Accepted(valid.withReceivedAt(clock.instant()));
  }

  /** Checks one NDJSON line, which is parsed here so that a broken line rejects only itself. */
  Outcome checkLine(int index, byte[] line, Caller caller) {
    if (line.length > maxEventBytes) {
      return tooLarge(index, line.length);
    }
    JsonNode event;
    try (JsonParser parser = mapper.createParser(line)) {
      if (parser.nextToken() == null) {
        return notJson(index, "no JSON value on the line", parser.currentLocation());
      }
      // Read as a tree here, not with readTree(parser), so that a second value gets our message.
      event = parser.readValueAsTree();
      if (parser.nextToken() != null) {
        return notJson(
            index, "more than one JSON value on the line", parser.currentTokenLocation());
      }
    } catch (JacksonException e) {
      return notJson(index, JsonErrors.describe(e), e.getLocation());
    }
    return check(index, event, line.length, caller);
  }

  private static Outcome notJson(int index, String problem, TokenStreamLocation location) {
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
