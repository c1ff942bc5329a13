package dev.agentfeed.ingest.events;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.ingest.IngestProperties;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponseException;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.ObjectMapper;

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
  private final ObjectMapper mapper;
  private final long maxEventBytes;

  EventIngest(
      EventChecks checks,
      EventPublisher publisher,
      StoredEventIds stored,
      IngestMetrics metrics,
      EventCodec codec,
      IngestProperties properties) {
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
    EventPublisher.Delivery delivery = publisher.delivery();
    for (EventEnvelope event : valid) {
      if (tally.isNew(event)) {
        delivery.send(event);
      }
    }
    delivery.awaitAcknowledgements();
    return tally.report(delivery.acknowledged());
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
    // A 503 wins over any other problem: then nothing in the request is acknowledged.
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
