package dev.agentfeed.bench.ingest;

import dev.agentfeed.ingest.claudecode.ClaudeCodeTranscript;
import dev.agentfeed.ingest.redaction.SecretRedactor;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code agentfeed-bench ingest}: the CPU cost of ingest's own work, in this JVM, with no network
 * or Kafka — how many Claude Code stream-json lines per second the adapter ({@link
 * ClaudeCodeTranscript}) parses and converts, and what secret redaction ({@link SecretRedactor})
 * costs per event, on clean events and on events carrying credentials. A plain harness: a warm-up
 * pass, then timed passes; figures on a busy machine are noise.
 */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description =
        "Claude Code lines/s through the stream-json adapter and redaction cost per event (in"
            + " process, no services needed).")
public final class IngestBenchmark implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--sessions",
      defaultValue = "2000",
      description = "transcripts per timed pass (default: ${DEFAULT-VALUE})")
  int sessions;

  @Option(
      names = "--passes",
      defaultValue = "5",
      description = "timed passes after one warm-up pass (default: ${DEFAULT-VALUE})")
  int passes;

  private final JsonMapper json = JsonMapper.builder().build();

  private final SecretRedactor redactor =
      new SecretRedactor(Map.of(), SecretRedactor.RedactionCounter.NONE);

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<String> transcript = SyntheticTranscript.lines();
    out.printf(
        "Transcript: %d stream-json lines (%d bytes), %d per pass%n",
        transcript.size(),
        transcript.stream().mapToInt(String::length).sum(),
        transcript.size() * sessions);

    adapterPass(transcript);
    double best = 0;
    List<ObjectNode> events = new ArrayList<>();
    for (int pass = 0; pass < passes; pass++) {
      long start = System.nanoTime();
      int lines = adapterPass(transcript);
      double perSecond = lines / ((System.nanoTime() - start) / 1e9);
      best = Math.max(best, perSecond);
      out.printf("adapter pass %d: %,.0f lines/s%n", pass + 1, perSecond);
    }
    events.addAll(convert(transcript, "bench-events"));
    out.printf("adapter best: %,.0f lines/s (parse + convert, one thread)%n", best);

    List<ObjectNode> planted = SyntheticTranscript.eventsWithSecrets(json);
    report(out, "redaction, transcript events", redactor, events);
    report(out, "redaction, events with secrets", redactor, planted);
    out.flush();
    return 0;
  }

  private int adapterPass(List<String> transcript) {
    int lines = 0;
    for (int s = 0; s < sessions; s++) {
      lines += convert(transcript, "bench-" + s).isEmpty() ? 0 : transcript.size();
    }
    return lines;
  }

  private List<ObjectNode> convert(List<String> transcript, String session) {
    ClaudeCodeTranscript converter =
        new ClaudeCodeTranscript("bench", session, Clock.systemUTC(), redactor);
    List<ObjectNode> events = new ArrayList<>();
    for (String line : transcript) {
      JsonNode parsed = json.readTree(line);
      events.addAll(converter.line(parsed).events());
    }
    return events;
  }

  /** Nanoseconds per event to redact the data of each event (on a fresh copy each time). */
  private void report(
      PrintWriter out, String what, SecretRedactor redactor, List<ObjectNode> events) {
    int rounds = Math.max(1, 20_000 / events.size());
    redact(redactor, events, rounds);
    long best = Long.MAX_VALUE;
    for (int pass = 0; pass < passes; pass++) {
      best = Math.min(best, redact(redactor, events, rounds));
    }
    long copyOnly = Long.MAX_VALUE;
    for (int pass = 0; pass < passes; pass++) {
      copyOnly = Math.min(copyOnly, copy(events, rounds));
    }
    long count = (long) rounds * events.size();
    out.printf(
        "%s: %,.0f ns/event (%,.0f ns with the copy the harness needs; %d events x %d)%n",
        what,
        Math.max(0, best - copyOnly) / (double) count,
        best / (double) count,
        events.size(),
        rounds);
  }

  private static long redact(SecretRedactor redactor, List<ObjectNode> events, int rounds) {
    long start = System.nanoTime();
    for (int r = 0; r < rounds; r++) {
      for (ObjectNode event : events) {
        redactor.redact(event.path("data").deepCopy());
      }
    }
    return System.nanoTime() - start;
  }

  private static long copy(List<ObjectNode> events, int rounds) {
    long start = System.nanoTime();
    long sizes = 0;
    for (int r = 0; r < rounds; r++) {
      for (ObjectNode event : events) {
        sizes += event.path("data").deepCopy().size();
      }
    }
    // Keeps the copies from being optimised away.
    return System.nanoTime() - start + (sizes < 0 ? 1 : 0);
  }
}
