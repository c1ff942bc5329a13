package dev.agentfeed.ingest.events;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.ingest.IngestProperties;
import dev.agentfeed.ingest.claudecode.ClaudeCodeTranscript;
import dev.agentfeed.ingest.openhands.OpenHandsEvents;
import dev.agentfeed.ingest.redaction.SecretRedactor;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.SessionRef;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponseException;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Takes the events of one request: checks each ({@link EventChecks}), drops duplicates, sends the
 * rest to {@code events.raw} ({@link EventPublisher}) and answers once Kafka has acknowledged them
 * all. A JSON body is checked whole before anything is sent, so a refused request writes nothing;
 * an NDJSON body is processed line by line as it arrives, and a refusal stops it where it occurs.
 */
@Service
final class EventIngest {

  private static final Logger log = LoggerFactory.getLogger(EventIngest.class);

  private final EventChecks checks;
  private final EventPublisher publisher;
  private final StoredEventIds stored;
  private final IngestMetrics metrics;
  private final SessionRateLimiter limiter;
  private final ObjectMapper mapper;
  private final long maxEventBytes;
  private final long maxRequestBytes;
  private final Clock clock;
  private final SecretRedactor redactor;

  EventIngest(
      EventChecks checks,
      EventPublisher publisher,
      StoredEventIds stored,
      IngestMetrics metrics,
      SessionRateLimiter limiter,
      EventCodec codec,
      IngestProperties properties,
      Clock clock,
      SecretRedactor redactor) {
    this.redactor = redactor;
    this.limiter = limiter;
    this.clock = clock;
    this.maxRequestBytes = properties.maxRequestSize().toBytes();
    this.checks = checks;
    this.publisher = publisher;
    this.stored = stored;
    this.metrics = metrics;
    this.mapper = codec.mapper();
    this.maxEventBytes = properties.maxEventSize().toBytes();
  }

  /** One event or an array of events; nothing is sent unless the whole body may be. */
  IngestReport ingestJson(Caller caller, InputStream body) {
    RequestTally tally = new RequestTally(stored, metrics);
    List<EventEnvelope> valid = new ArrayList<>();
    int count;
    try {
      count =
          JsonBody.read(
              mapper,
              body,
              (index, element, size) -> {
                EventChecks.Outcome outcome = checks.check(index, element, size, caller);
                if (outcome instanceof EventChecks.Accepted accepted) {
                  valid.add(accepted.event());
                } else if (outcome instanceof EventChecks.Rejected rejected) {
                  tally.reject(rejected.rejection());
                } else {
                  throw refused(caller, (EventChecks.Forbidden) outcome, false);
                }
              });
    } catch (BodyTooLargeException e) {
      throw EventProblems.tooLarge(e.limit(), EventProblems.NOTHING_STORED);
    } catch (JacksonIOException e) {
      throw EventProblems.unreadable(e);
    }
    if (count == 0) {
      throw EventProblems.noEvents();
    }
    if (valid.isEmpty()) {
      throw EventProblems.noneValid(count, tally.report(0));
    }
    List<EventEnvelope> fresh = new ArrayList<>();
    for (EventEnvelope event : valid) {
      if (tally.isNew(event)) {
        fresh.add(event);
      }
    }
    // The whole request or nothing: a 429 here has stored nothing, so the client retries it as is.
    Map<SessionRef, Integer> perSession = new LinkedHashMap<>();
    fresh.forEach(event -> perSession.merge(event.session(), 1, Integer::sum));
    SessionRateLimiter.Decision decision = limiter.acquire(perSession);
    if (!(decision instanceof SessionRateLimiter.Allowed)) {
      metrics.rateLimited(fresh.size());
      throw limitProblem(decision, EventProblems.NOTHING_STORED);
    }
    EventPublisher.Delivery delivery = publisher.delivery();
    fresh.forEach(delivery::send);
    delivery.awaitAcknowledgements();
    return tally.report(delivery.acknowledged());
  }

  /**
   * Turns the values of a body into events, keeping what later values need; one instance per
   * request. The adapters of agent formats (Claude Code, OpenHands) plug in here.
   */
  interface Converter {

    /** The events of one value, or why it is not a value of this format. */
    Converted convert(JsonNode value);

    /** The events that close the body once it has ended. */
    List<ObjectNode> end();
  }

  /** What one value became: events, or the error that rejects it. */
  record Converted(List<ObjectNode> events, String error) {}

  /**
   * A Claude Code stream-json transcript for one session, translated line by line as it arrives
   * ({@link ClaudeCodeTranscript}); the events go the way NDJSON events go. Rejections name the
   * line (0-based); {@code accepted} and {@code duplicates} count events, several per line at
   * times. A transcript that ends without its {@code result} line gets a {@code session.failed}.
   */
  IngestReport ingestClaudeCode(Caller caller, String sessionId, InputStream body) {
    ClaudeCodeTranscript transcript =
        new ClaudeCodeTranscript(caller.orgId(), sessionId, clock, redactor);
    return ingestLines(
        caller,
        body,
        new Converter() {
          @Override
          public Converted convert(JsonNode value) {
            ClaudeCodeTranscript.LineResult result = transcript.line(value);
            return new Converted(result.events(), result.error());
          }

          @Override
          public List<ObjectNode> end() {
            return transcript.end();
          }
        });
  }

  /**
   * The events of an OpenHands conversation for one session ({@link OpenHandsEvents}), as a JSON
   * array ({@code jsonArray}) or NDJSON, translated as they arrive. Rejections name the element.
   */
  IngestReport ingestOpenHands(
      Caller caller, String sessionId, InputStream body, boolean jsonArray) {
    OpenHandsEvents events = new OpenHandsEvents(caller.orgId(), sessionId, clock);
    Converter converter =
        new Converter() {
          @Override
          public Converted convert(JsonNode value) {
            OpenHandsEvents.Result result = events.event(value);
            return new Converted(result.events(), result.error());
          }

          @Override
          public List<ObjectNode> end() {
            return List.of();
          }
        };
    return jsonArray ? ingestArray(caller, body, converter) : ingestLines(caller, body, converter);
  }

  /** A body of NDJSON values, each converted and sent as soon as it is read. */
  private IngestReport ingestLines(Caller caller, InputStream body, Converter converter) {
    RequestTally tally = new RequestTally(stored, metrics);
    EventPublisher.Delivery delivery = publisher.delivery();
    // A line is bounded by the body's limit, not the event limit: one line of a large tool output
    // becomes events holding only a preview of it.
    NdjsonLines lines = new NdjsonLines(body, maxRequestBytes);
    ErrorResponseException stop = null;
    int index = 0;
    try {
      for (NdjsonLines.Line line = lines.next();
          line != null && stop == null && !delivery.failed();
          line = lines.next(), index++) {
        if (line.isBlank()) {
          continue;
        }
        EventChecks.ParsedLine parsed = checks.parseLine(index, line.bytes());
        if (parsed.rejected() != null) {
          tally.reject(parsed.rejected().rejection());
          continue;
        }
        stop = convertAndOffer(caller, index, parsed.json(), converter, tally, delivery);
      }
      if (stop == null && !delivery.failed()) {
        stop = offerAll(caller, index, converter.end(), tally, delivery);
      }
    } catch (BodyTooLargeException e) {
      stop = EventProblems.tooLarge(e.limit(), EventProblems.LINES_WITHIN_LIMIT_PROCESSED);
    } catch (IOException e) {
      stop = EventProblems.unreadable(e);
    }
    return finishStream(stop, tally, delivery);
  }

  /**
   * A JSON array (or one object) of values, each converted and sent as soon as it is parsed; a
   * syntax error stops the body there, like a refused NDJSON line.
   */
  private IngestReport ingestArray(Caller caller, InputStream body, Converter converter) {
    RequestTally tally = new RequestTally(stored, metrics);
    EventPublisher.Delivery delivery = publisher.delivery();
    ErrorResponseException[] stop = {null};
    int[] last = {0};
    try {
      JsonBody.read(
          mapper,
          body,
          (index, element, size) -> {
            last[0] = index;
            if (stop[0] == null && !delivery.failed()) {
              stop[0] = convertAndOffer(caller, index, element, converter, tally, delivery);
            }
          });
      if (stop[0] == null && !delivery.failed()) {
        stop[0] = offerAll(caller, last[0], converter.end(), tally, delivery);
      }
    } catch (BodyTooLargeException e) {
      stop[0] = EventProblems.tooLarge(e.limit(), EventProblems.LINES_WITHIN_LIMIT_PROCESSED);
    } catch (JacksonIOException e) {
      stop[0] = EventProblems.unreadable(e);
    } catch (ErrorResponseException e) {
      stop[0] = e;
    }
    return finishStream(stop[0], tally, delivery);
  }

  private ErrorResponseException convertAndOffer(
      Caller caller,
      int index,
      JsonNode value,
      Converter converter,
      RequestTally tally,
      EventPublisher.Delivery delivery) {
    Converted converted = converter.convert(value);
    if (converted.error() != null) {
      tally.reject(new Rejection(index, converted.error()));
      return null;
    }
    return offerAll(caller, index, converted.events(), tally, delivery);
  }

  /** Checks and sends the events of one line; the problem that stops the stream, if any. */
  private ErrorResponseException offerAll(
      Caller caller,
      int index,
      List<ObjectNode> events,
      RequestTally tally,
      EventPublisher.Delivery delivery) {
    for (ObjectNode event : events) {
      EventChecks.Outcome outcome =
          checks.check(index, event, mapper.writeValueAsBytes(event).length, caller);
      if (outcome instanceof EventChecks.Accepted accepted) {
        if (tally.isNew(accepted.event())) {
          SessionRateLimiter.Decision decision = limiter.acquireOne(accepted.event().session());
          if (!(decision instanceof SessionRateLimiter.Allowed)) {
            metrics.rateLimited(1);
            ErrorResponseException problem =
                limitProblem(decision, EventProblems.LINES_BEFORE_LIMITED_PROCESSED);
            problem.getBody().setProperty("index", index);
            return problem;
          }
          delivery.send(accepted.event());
        }
      } else if (outcome instanceof EventChecks.Rejected rejected) {
        tally.reject(rejected.rejection());
      } else {
        return refused(caller, (EventChecks.Forbidden) outcome, true);
      }
    }
    return null;
  }

  private static ErrorResponseException limitProblem(
      SessionRateLimiter.Decision decision, String outcome) {
    if (decision instanceof SessionRateLimiter.OverBurst over) {
      return EventProblems.overBurst(over, outcome);
    }
    return EventProblems.rateLimited((SessionRateLimiter.Limited) decision, outcome);
  }

  /**
   * One event per line, each sent as soon as it is read. A refused line, or the body going past its
   * limit, stops the stream: the lines before it stay processed and the problem says how.
   */
  IngestReport ingestNdjson(Caller caller, InputStream body) {
    RequestTally tally = new RequestTally(stored, metrics);
    EventPublisher.Delivery delivery = publisher.delivery();
    NdjsonLines lines = new NdjsonLines(body, maxEventBytes);
    ErrorResponseException stop = null;
    try {
      int index = 0;
      for (NdjsonLines.Line line = lines.next();
          line != null && !delivery.failed();
          line = lines.next(), index++) {
        if (line.isBlank()) {
          continue;
        }
        EventChecks.Outcome outcome =
            line.tooLarge()
                ? checks.tooLarge(index, line.size())
                : checks.checkLine(index, line.bytes(), caller);
        if (outcome instanceof EventChecks.Accepted accepted) {
          if (tally.isNew(accepted.event())) {
            SessionRateLimiter.Decision decision = limiter.acquireOne(accepted.event().session());
            if (!(decision instanceof SessionRateLimiter.Allowed)) {
              // The stream stops here: the lines before are stored, this one and the rest are not.
              metrics.rateLimited(1);
              stop = limitProblem(decision, EventProblems.LINES_BEFORE_LIMITED_PROCESSED);
              stop.getBody().setProperty("index", index);
              break;
            }
            delivery.send(accepted.event());
          }
        } else if (outcome instanceof EventChecks.Rejected rejected) {
          tally.reject(rejected.rejection());
        } else {
          stop = refused(caller, (EventChecks.Forbidden) outcome, true);
          break;
        }
      }
    } catch (BodyTooLargeException e) {
      stop = EventProblems.tooLarge(e.limit(), EventProblems.LINES_WITHIN_LIMIT_PROCESSED);
    } catch (IOException e) {
      stop = EventProblems.unreadable(e);
    }
    return finishStream(stop, tally, delivery);
  }

  /**
   * The answer to a streamed body once it ended or stopped: waits for Kafka first, so that a 503
   * wins over any other problem (then nothing in the request is acknowledged).
   */
  private static IngestReport finishStream(
      ErrorResponseException stop, RequestTally tally, EventPublisher.Delivery delivery) {
    delivery.awaitAcknowledgements();
    if (stop != null) {
      throw EventProblems.withOutcome(stop, tally.report(delivery.acknowledged()));
    }
    if (tally.events() == 0) {
      throw EventProblems.noEvents();
    }
    if (tally.valid() == 0) {
      throw EventProblems.noneValid(tally.events(), tally.report(0));
    }
    return tally.report(delivery.acknowledged());
  }

  private static ErrorResponseException refused(
      Caller caller, EventChecks.Forbidden forbidden, boolean streamed) {
    log.warn(
        "Refused events from a token of org {} (session {}): {}",
        caller.orgId(),
        caller.sessionId().orElse("any"),
        forbidden.reason());
    return EventProblems.forbidden(
        forbidden, streamed ? EventProblems.LINES_BEFORE_PROCESSED : EventProblems.NOTHING_STORED);
  }
}
