package dev.agentfeed.cli;

import dev.agentfeed.archiver.replay.ReplayCatalog;
import dev.agentfeed.archiver.replay.ReplayVerifier;
import dev.agentfeed.model.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code replays play}: prints the session's events in seq order, waiting between two events as
 * long as passed between their {@code ts}, divided by the speed. Long pauses are capped, so a
 * session that sat idle for an hour does not keep the auditor waiting.
 */
@Command(
    name = "play",
    mixinStandardHelpOptions = true,
    description = "Prints the session's events as they happened, paced by their ts.")
final class PlayCommand extends SessionCommand {

  private static final int DATA_CHARS = 160;

  @Option(
      names = "--speed",
      defaultValue = "1x",
      converter = SpeedConverter.class,
      description = "How much faster than real time, e.g. 10x (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(
      names = "--max-pause",
      defaultValue = "5s",
      converter = PauseConverter.class,
      description =
          "The longest wait between two events after scaling, e.g. 2s, 500ms (default: ${DEFAULT-VALUE}).")
  Duration maxPause;

  @Option(
      names = "--json",
      description = "Print each event's JSON line as archived (a gateway-compatible event stream).")
  boolean json;

  @Override
  int run(S3Options.Archive archive, ReplayCatalog.Entry entry) {
    List<String> lines;
    try {
      lines = archive.verifier().readLines(entry);
    } catch (ReplayVerifier.IntegrityException e) {
      err().printf("FAILED: %s%n", e.getMessage());
      return AgentfeedCli.FAILED;
    }
    JsonMapper mapper = new EventCodec().mapper();
    Instant previous = null;
    Instant start = null;
    for (String line : lines) {
      JsonNode event = mapper.readTree(line);
      Instant ts = Instant.parse(event.path("ts").asString());
      start = start == null ? ts : start;
      if (previous != null && !pause(previous, ts)) {
        return AgentfeedCli.FAILED;
      }
      previous = ts;
      out().println(json ? line : describe(event, Duration.between(start, ts)));
      out().flush();
    }
    return 0;
  }

  /** Waits the scaled time between two events; false when interrupted. */
  private boolean pause(Instant previous, Instant ts) {
    long nanos = (long) (Duration.between(previous, ts).toNanos() / speed);
    long wait = Math.min(Math.max(nanos, 0), maxPause.toNanos());
    if (wait == 0) {
      return true;
    }
    try {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err().println("Interrupted.");
      return false;
    }
  }

  private static String describe(JsonNode event, Duration sinceStart) {
    String data = event.path("data").toString();
    if (data.length() > DATA_CHARS) {
      data = data.substring(0, DATA_CHARS) + "...";
    }
    return String.format(
        Locale.ROOT,
        "%10s #%-5d %-24s %-22s %s %s",
        String.format(Locale.ROOT, "+%.3fs", sinceStart.toMillis() / 1000.0),
        event.path("seq").asLong(),
        event.path("ts").asString(),
        event.path("type").asString(),
        event.path("agentId").asString("-"),
        data);
  }

  /** {@code 10x}, {@code 10} or {@code 0.5x}: a positive factor. */
  static final class SpeedConverter implements ITypeConverter<Double> {

    @Override
    public Double convert(String value) {
      String number = value.endsWith("x") ? value.substring(0, value.length() - 1) : value;
      try {
        double speed = Double.parseDouble(number);
        if (speed > 0 && Double.isFinite(speed)) {
          return speed;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new TypeConversionException(
          "'" + value + "' is not a speed; use a positive factor such as 10x or 0.5x");
    }
  }

  /** {@code 500ms}, {@code 2s}, {@code 1m}, or an ISO-8601 duration. */
  static final class PauseConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
      try {
        if (value.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (value.endsWith("s")) {
          return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        if (value.endsWith("m")) {
          return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        return Duration.parse(value);
      } catch (RuntimeException e) {
        throw new TypeConversionException(
            "'" + value + "' is not a duration; use e.g. 500ms, 2s or 1m");
      }
    }
  }
}
