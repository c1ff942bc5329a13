package dev.agentfeed.ingest.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.ingest.IngestProperties;
import dev.agentfeed.ingest.redaction.SecretRedactor;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventValidator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventChecksTest {

  private static final Instant NOW = Instant.parse("2026-01-30T12:00:01Z");

  private final EventCodec codec = new EventCodec();
  private final EventChecks checks =
      new EventChecks(
          new EventValidator(codec),
          codec,
          new IngestProperties(null, null, null, null, null, null, null),
          new SecretRedactor(Map.of(), SecretRedactor.RedactionCounter.NONE),
          Clock.fixed(NOW, ZoneOffset.UTC));
  private final Caller caller = new Caller("acme", Optional.empty());

  private EventChecks.Outcome line(String text) {
    return checks.checkLine(3, text.getBytes(StandardCharsets.UTF_8), caller);
  }

  @Test
  void shouldAcceptAValidLineWithTheReceiptTime() {
    String event = RunningIngest.event("e1", "acme", "ses-1");

    assertThat(line(event))
        .isEqualTo(new EventChecks.Accepted(codec.fromJson(event).withReceivedAt(NOW)));
  }

  @Test
  void shouldRejectATruncatedLineWithWhereItEnds() {
    assertThat(line("{\"id\":\"e1\""))
        .isEqualTo(
            new EventChecks.Rejected(
                new Rejection(
                    3,
                    "not valid JSON: Unexpected end-of-input: expected close marker for Object"
                        + " at column 11")));
  }

  @Test
  void shouldRejectALineHoldingTwoValues() {
    assertThat(line("{} {}"))
        .isEqualTo(
            new EventChecks.Rejected(
                new Rejection(
                    3, "not valid JSON: more than one JSON value on the line at column 4")));
  }
}
