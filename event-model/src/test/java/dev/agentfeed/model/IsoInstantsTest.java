package dev.agentfeed.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {

  @Test
  void shouldReadThePipelinesFormAsInstantParseDoes() {
    List<String> canonical =
        List.of(
            "2026-01-30T12:00:00Z",
            "2026-01-30T12:00:00.1Z",
            "2026-01-30T12:00:00.123Z",
            "2026-01-30T12:00:00.000001Z",
            "2026-01-30T12:00:00.123456789Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999Z",
            "2024-02-29T23:59:59Z",
            "9999-12-31T23:59:59.999999999Z");

    assertThat(canonical.stream().map(IsoInstants::parseCanonical).toList())
        .isEqualTo(canonical.stream().map(Instant::parse).toList());
  }

  @Test
  void shouldLeaveEverythingElseToTheFullParser() {
    List<String> other =
        List.of(
            "2026-01-30T12:00:00+01:00",
            "2026-01-30T12:00:00.Z",
            "2026-01-30T12:00:00.1234567890Z",
            "2026-01-30 12:00:00Z",
            "2026-01-30T12:00Z",
            "2026-02-30T12:00:00Z",
            "2026-01-30T24:00:00Z",
            "2026-01-30T23:59:60Z",
            "2026-13-01T00:00:00Z",
            "+12026-01-30T12:00:00Z",
            "2026-01-30T12:00:0xZ",
            "2026-01-30t12:00:00z",
            "");

    assertThat(other.stream().map(IsoInstants::parseCanonical).toList())
        .containsOnlyNulls()
        .hasSize(other.size());
  }
}
