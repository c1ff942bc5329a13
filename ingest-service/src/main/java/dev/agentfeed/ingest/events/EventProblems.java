package dev.agentfeed.ingest.events;

import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The problem details of {@code POST /v1/events}. Each says what is wrong and what became of the
 * request's events, so that a client knows whether to fix, split or retry it.
 */
final class EventProblems {

  /** For bodies checked whole before anything is sent. */
  static final String NOTHING_STORED = "nothing in this request was stored";

  /** For NDJSON bodies stopped at a line. */
  static final String LINES_BEFORE_PROCESSED =
      "the lines before it were processed as accepted, duplicates and rejected say, and the rest"
          + " of the body was not read";

  /** For NDJSON bodies stopped at a line over the session's rate limit. */
  static final String LINES_BEFORE_LIMITED_PROCESSED =
      "the lines before the one at index were processed as accepted, duplicates and rejected say;"
          + " that line and the rest of the body were not read: send them again";

  /** For NDJSON bodies stopped at the size limit. */
  static final String LINES_WITHIN_LIMIT_PROCESSED =
      "the complete lines within the limit were processed as accepted, duplicates and rejected"
          + " say, and the rest of the body was not read";

  private EventProblems() {}

  static ErrorResponseException noEvents() {
    return problem(HttpStatus.BAD_REQUEST, "no events in the body", null);
  }

  static ErrorResponseException noneValid(int events, IngestReport report) {
    ErrorResponseException problem =
        problem(
            HttpStatus.BAD_REQUEST,
            (events == 1 ? "the event is not" : "none of the " + events + " events is")
                + " valid; rejected says why",
            null);
    problem.getBody().setProperty("rejected", report.rejected());
    if (report.rejectedNotListed() != null) {
      problem.getBody().setProperty("rejectedNotListed", report.rejectedNotListed());
    }
    return problem;
  }

  static ErrorResponseException notJson(String detail) {
    return problem(HttpStatus.BAD_REQUEST, detail, null);
  }

  static ErrorResponseException unreadable(Throwable cause) {
    return problem(
        HttpStatus.BAD_REQUEST,
        "the body could not be read to its end (" + cause.getMessage() + ")",
        cause);
  }

  static ErrorResponseException declaredTooLarge(long declared, long limit) {
    return problem(
        HttpStatus.CONTENT_TOO_LARGE,
        "the body is "
            + declared
            + " bytes; the limit is "
            + limit
            + "; send the events in smaller requests; "
            + NOTHING_STORED,
        null);
  }

  static ErrorResponseException tooLarge(long limit, String outcome) {
    return problem(
        HttpStatus.CONTENT_TOO_LARGE,
        "the body is larger than the limit of "
            + limit
            + " bytes; send the events in smaller requests; "
            + outcome,
        null);
  }

  static ErrorResponseException forbidden(EventChecks.Forbidden forbidden, String outcome) {
    ErrorResponseException problem =
        problem(HttpStatus.FORBIDDEN, forbidden.reason() + "; " + outcome, null);
    problem.getBody().setProperty("index", forbidden.index());
    return problem;
  }

  static ErrorResponseException kafkaUnavailable(
      Duration timeout, Duration retryAfter, Throwable cause) {
    ErrorResponseException problem =
        problem(
            HttpStatus.SERVICE_UNAVAILABLE,
            "Kafka did not acknowledge the events within "
                + timeout.toMillis()
                + " ms; nothing in this request is acknowledged. Retry after "
                + retryAfter.toSeconds()
                + " s: retrying with the same event ids is safe, events already stored are not"
                + " stored twice",
            cause);
    problem.getHeaders().set(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfter.toSeconds()));
    return problem;
  }

  /** 429: a session has no tokens left for the events of this request. */
  static ErrorResponseException rateLimited(SessionRateLimiter.Limited limited, String outcome) {
    ErrorResponseException problem =
        problem(
            HttpStatus.TOO_MANY_REQUESTS,
            "session '"
                + limited.session().sessionId()
                + "' is over its rate limit; retry after "
                + limited.retryAfterSeconds()
                + " s (retrying with the same event ids is safe); "
                + outcome,
            null);
    problem.getHeaders().set(HttpHeaders.RETRY_AFTER, String.valueOf(limited.retryAfterSeconds()));
    problem.getBody().setProperty("sessionId", limited.session().sessionId());
    return problem;
  }

  /** 413: more events for one session in one request than its bucket can ever hold. */
  static ErrorResponseException overBurst(SessionRateLimiter.OverBurst over, String outcome) {
    ErrorResponseException problem =
        problem(
            HttpStatus.CONTENT_TOO_LARGE,
            "the request holds "
                + over.events()
                + " new events for session '"
                + over.session().sessionId()
                + "' but a session may send at most "
                + over.burst()
                + " at once; send them in smaller requests; "
                + outcome,
            null);
    problem.getBody().setProperty("sessionId", over.session().sessionId());
    return problem;
  }

  /** Adds what a partly processed NDJSON request did to its problem. */
  static ErrorResponseException withOutcome(ErrorResponseException problem, IngestReport report) {
    ProblemDetail body = problem.getBody();
    body.setProperty("accepted", report.accepted());
    body.setProperty("duplicates", report.duplicates());
    body.setProperty("rejected", report.rejected());
    if (report.rejectedNotListed() != null) {
      body.setProperty("rejectedNotListed", report.rejectedNotListed());
    }
    return problem;
  }

  private static ErrorResponseException problem(HttpStatus status, String detail, Throwable cause) {
    return new ErrorResponseException(
        status, ProblemDetail.forStatusAndDetail(status, detail), cause);
  }
}
