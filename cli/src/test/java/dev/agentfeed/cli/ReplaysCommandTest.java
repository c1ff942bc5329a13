package dev.agentfeed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.archiver.archive.TestArchives;
import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.ReplayFolder;
import dev.agentfeed.archiver.replay.ReplayManifest;
import dev.agentfeed.archiver.replay.ReplayObject;
import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.archiver.testing.InProcessS3;
import dev.agentfeed.archiver.testing.TestSessions;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.SessionRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs the CLI's commands in-process against a real S3 endpoint holding replays written by the
 * archiver's own writer.
 */
class ReplaysCommandTest {

  private static final String BUCKET = "cli-test";
  private static final String ORG = "org-audit";
  private static final Instant START = Instant.parse("2026-01-30T12:00:00Z");
  private static final EventCodec EVENTS = new EventCodec();
  private static final ReplayCodec CODEC = new ReplayCodec(EVENTS.mapper());

  private static InProcessS3 s3;
  private static TestArchives archives;

  @BeforeAll
  static void startS3() {
    s3 = InProcessS3.start();
    s3.createBucket(BUCKET);
    archives = new TestArchives(s3.client(), BUCKET);
  }

  @AfterAll
  static void stopS3() {
    s3.close();
  }

  /** Exit code and what the command printed. */
  private record Run(int exitCode, List<String> out, List<String> err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = AgentfeedCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--endpoint", s3.endpoint().toString(), "--bucket", BUCKET));
    int exitCode = cli.execute(all.toArray(String[]::new));
    return new Run(exitCode, out.toString().lines().toList(), err.toString().lines().toList());
  }

  private static ReplayFolder folder(String org, String sessionId, Instant start) {
    return ReplayFolder.of(new SessionRef(org, sessionId), start);
  }

  private static List<String> jsonLines(List<EventEnvelope> events) {
    return events.stream().map(EVENTS::toJson).toList();
  }

  /** A completed session of 12 events: the replay up to seq 9, then a late segment (v2). */
  private static List<EventEnvelope> archivedWithLateSegment(String sessionId) {
    List<EventEnvelope> events = TestSessions.completed(ORG, sessionId, 12, START);
    archives.archive(events.subList(0, 9), SessionStatus.IDLE);
    archives.archive(events.subList(9, 12), SessionStatus.COMPLETED);
    return events;
  }

  @Test
  void shouldVerifyAReplayWithALateSegment() {
    archivedWithLateSegment("ses-good");

    Run run = run("replays", "verify", "ses-good", "--org", ORG);

    assertThat(run)
        .isEqualTo(
            new Run(
                0,
                List.of(
                    "OK: session ses-good of org org-audit, manifest version 2: 2 objects ("
                        + (s3.bytes(BUCKET, folder(ORG, "ses-good", START).replayKey()).length
                            + s3.bytes(BUCKET, folder(ORG, "ses-good", START).segmentKey(10, 12))
                                .length)
                        + " bytes), every SHA-256 matches; 12 events, seq 1..12 without gap or"
                        + " duplicate."),
                List.of()));
  }

  @Test
  void shouldFailLoudlyOnATamperedObject() {
    List<EventEnvelope> events = TestSessions.completed(ORG, "ses-tampered", 6, START);
    archives.archive(events, SessionStatus.COMPLETED);
    ReplayFolder folder = folder(ORG, "ses-tampered", START);
    List<byte[]> forged =
        Stream.concat(jsonLines(events.subList(0, 5)).stream(), Stream.of("{\"forged\":true}"))
            .map(l -> l.getBytes(StandardCharsets.UTF_8))
            .toList();
    byte[] tampered = CODEC.gzipLines(forged);
    String listed = ReplayCodec.sha256Hex(s3.bytes(BUCKET, folder.replayKey()));
    s3.put(BUCKET, folder.replayKey(), tampered);

    Run run = run("replays", "verify", "ses-tampered", "--org", ORG);

    assertThat(run.exitCode()).isEqualTo(AgentfeedCli.FAILED);
    assertThat(run.err())
        .contains(
            "FAILED: "
                + folder.replayKey()
                + ": CHECKSUM MISMATCH, sha256 is "
                + ReplayCodec.sha256Hex(tampered)
                + ", the manifest says "
                + listed);
    assertThat(run.err().get(run.err().size() - 1))
        .startsWith("Session ses-tampered of org org-audit does NOT verify");
  }

  @Test
  void shouldFailLoudlyOnAMissingSegment() {
    archivedWithLateSegment("ses-missing");
    ReplayFolder folder = folder(ORG, "ses-missing", START);
    s3.delete(BUCKET, folder.segmentKey(10, 12));

    Run run = run("replays", "verify", "ses-missing", "--org", ORG);

    assertThat(run)
        .isEqualTo(
            new Run(
                AgentfeedCli.FAILED,
                List.of(),
                List.of(
                    "FAILED: "
                        + folder.segmentKey(10, 12)
                        + ": MISSING, listed in the manifest but not in the bucket",
                    "FAILED: GAP: 3 events missing from 1..12: seq 10..12",
                    "FAILED: manifest says 12 events, the objects hold 9",
                    "Session ses-missing of org org-audit does NOT verify: 3 problem(s) in"
                        + " manifest version 2 ("
                        + folder.manifestKey()
                        + ").")));
  }

  @Test
  void shouldFailLoudlyOnASeqGap() {
    List<EventEnvelope> events = new ArrayList<>(TestSessions.completed(ORG, "ses-gap", 10, START));
    events.remove(4);
    events.remove(4);
    archives.archive(events, SessionStatus.COMPLETED);

    Run run = run("replays", "verify", "ses-gap", "--org", ORG);

    assertThat(run)
        .isEqualTo(
            new Run(
                AgentfeedCli.FAILED,
                List.of(),
                List.of(
                    "FAILED: GAP: 2 events missing from 1..10: seq 5..6",
                    "Session ses-gap of org org-audit does NOT verify: 1 problem(s) in manifest"
                        + " version 1 ("
                        + folder(ORG, "ses-gap", START).manifestKey()
                        + ").")));
  }

  @Test
  void shouldFailLoudlyOnASeqListedTwice() {
    List<EventEnvelope> events = TestSessions.completed(ORG, "ses-dup", 6, START);
    archives.archive(events, SessionStatus.COMPLETED);
    ReplayFolder folder = folder(ORG, "ses-dup", START);
    // A forged version 2 that lists seq 5..6 again in a segment of its own.
    byte[] again =
        CODEC.gzipLines(
            jsonLines(events.subList(4, 6)).stream()
                .map(l -> l.getBytes(StandardCharsets.UTF_8))
                .toList());
    String key = folder.segmentKey(5, 6);
    s3.put(BUCKET, key, again);
    ReplayManifest first = CODEC.readManifest(s3.bytes(BUCKET, folder.manifestKey()));
    ReplayManifest forged =
        new ReplayManifest(
            1,
            2,
            ORG,
            "ses-dup",
            first.agentId(),
            first.status(),
            8,
            1,
            6,
            first.firstTs(),
            first.lastTs(),
            List.of(
                first.objects().get(0),
                new ReplayObject(key, again.length, ReplayCodec.sha256Hex(again), 2, 5, 6)));
    s3.put(BUCKET, folder.manifestKey(2), CODEC.writeManifest(forged));
    s3.put(BUCKET, folder.manifestKey(), CODEC.writeManifest(forged));

    Run run = run("replays", "verify", "ses-dup", "--org", ORG);

    assertThat(run)
        .isEqualTo(
            new Run(
                AgentfeedCli.FAILED,
                List.of(),
                List.of(
                    "FAILED: DUPLICATE: 2 seqs appear more than once: seq 5 x2, seq 6 x2",
                    "Session ses-dup of org org-audit does NOT verify: 1 problem(s) in manifest"
                        + " version 2 ("
                        + folder.manifestKey()
                        + ").")));
  }

  @Test
  void shouldVerifyButWarnAboutAnObjectTheManifestDoesNotList() {
    List<EventEnvelope> events = TestSessions.completed(ORG, "ses-stray", 4, START);
    archives.archive(events, SessionStatus.COMPLETED);
    ReplayFolder folder = folder(ORG, "ses-stray", START);
    s3.put(BUCKET, folder.segmentKey(5, 5), CODEC.gzipLines(List.of()));

    Run run = run("replays", "verify", "ses-stray", "--org", ORG);

    assertThat(List.of(run.exitCode(), run.err()))
        .isEqualTo(
            List.of(
                0,
                List.of(
                    "warning: "
                        + folder.segmentKey(5, 5)
                        + " is not listed in manifest version 1")));
  }

  @Test
  void shouldFailWhenTheLatestManifestDiffersFromItsVersionedCopy() {
    List<EventEnvelope> events = TestSessions.completed(ORG, "ses-edited", 4, START);
    archives.archive(events, SessionStatus.COMPLETED);
    ReplayFolder folder = folder(ORG, "ses-edited", START);
    ReplayManifest manifest = CODEC.readManifest(s3.bytes(BUCKET, folder.manifestKey()));
    ReplayManifest edited =
        new ReplayManifest(
            1,
            1,
            ORG,
            "ses-edited",
            "someone-else",
            manifest.status(),
            manifest.eventCount(),
            manifest.firstSeq(),
            manifest.lastSeq(),
            manifest.firstTs(),
            manifest.lastTs(),
            manifest.objects());
    s3.put(BUCKET, folder.manifestKey(), CODEC.writeManifest(edited));

    Run run = run("replays", "verify", "ses-edited", "--org", ORG);

    assertThat(List.of(run.exitCode(), run.err().get(0)))
        .isEqualTo(
            List.of(
                AgentfeedCli.FAILED,
                "FAILED: manifest.json differs from "
                    + folder.manifestKey(1)
                    + ", the version it claims to be"));
  }

  @Test
  void shouldSayWhenTheSessionIsNotInTheBucket() {
    Run run = run("replays", "verify", "ses-nowhere", "--org", ORG);

    assertThat(run)
        .isEqualTo(
            new Run(
                AgentfeedCli.NOT_FOUND,
                List.of(),
                List.of("No replay of session ses-nowhere in org org-audit (bucket cli-test).")));
  }

  @Test
  void shouldListTheOrgsSessionsWithinTheDates() {
    String org = "org-list";
    Instant dayBefore = START.minusSeconds(86_400);
    archives.archive(TestSessions.completed(org, "ses-b", 4, START), SessionStatus.COMPLETED);
    archives.archive(TestSessions.open(org, "ses-a", 3, START), SessionStatus.IDLE);
    archives.archive(TestSessions.completed(org, "ses-old", 2, dayBefore), SessionStatus.COMPLETED);
    archives.archive(
        TestSessions.completed("org-other", "ses-x", 2, START), SessionStatus.COMPLETED);

    Run run = run("replays", "list", "--org", org, "--from", "2026-01-30", "--to", "2026-01-30");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().stream().map(l -> List.of(l.split("\\s+")).subList(0, 5)).toList())
        .isEqualTo(
            List.of(
                List.of("SESSION", "DATE", "STATUS", "EVENTS", "SEQ"),
                List.of("ses-a", "2026-01-30", "idle", "3", "1..3"),
                List.of("ses-b", "2026-01-30", "completed", "4", "1..4")));
  }

  @Test
  void shouldListEveryDayWithoutDates() {
    String org = "org-days";
    archives.archive(TestSessions.completed(org, "ses-1", 2, START), SessionStatus.COMPLETED);
    archives.archive(
        TestSessions.completed(org, "ses-2", 2, START.plusSeconds(86_400)),
        SessionStatus.COMPLETED);

    Run run = run("replays", "list", "--org", org);

    assertThat(run.out().stream().map(l -> l.split("\\s+")[0] + " " + l.split("\\s+")[1]).toList())
        .isEqualTo(List.of("SESSION DATE", "ses-1 2026-01-30", "ses-2 2026-01-31"));
  }

  @Test
  void shouldWriteEveryEventOfReplayAndSegmentsToTheOutputFile(@TempDir Path dir)
      throws IOException {
    List<EventEnvelope> events = archivedWithLateSegment("ses-get");
    Path file = dir.resolve("ses-get.jsonl");

    Run run = run("replays", "get", "ses-get", "--org", ORG, "-o", file.toString());

    assertThat(run)
        .isEqualTo(
            new Run(
                0,
                List.of("Wrote 12 events of session ses-get (manifest version 2) to " + file),
                List.of()));
    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).isEqualTo(jsonLines(events));
  }

  @Test
  void shouldWriteTheEventsToStandardOutputWithoutAFile() {
    List<EventEnvelope> events = TestSessions.completed(ORG, "ses-stdout", 5, START);
    archives.archive(events, SessionStatus.COMPLETED);

    Run run = run("replays", "get", "ses-stdout", "--org", ORG);

    assertThat(run).isEqualTo(new Run(0, jsonLines(events), List.of()));
  }

  @Test
  void shouldRefuseToGetATamperedReplay() {
    List<EventEnvelope> events = TestSessions.completed(ORG, "ses-get-tampered", 5, START);
    archives.archive(events, SessionStatus.COMPLETED);
    ReplayFolder folder = folder(ORG, "ses-get-tampered", START);
    s3.put(
        BUCKET,
        folder.replayKey(),
        CODEC.gzipLines(List.of("{}".getBytes(StandardCharsets.UTF_8))));

    Run run = run("replays", "get", "ses-get-tampered", "--org", ORG);

    assertThat(run.exitCode()).isEqualTo(AgentfeedCli.FAILED);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void shouldPlayTheEventsInOrderAsTheyHappened() {
    List<EventEnvelope> events = archivedWithLateSegment("ses-play");

    Run run = run("replays", "play", "ses-play", "--org", ORG, "--speed", "1000x");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().stream().map(l -> List.of(l.trim().split("\\s+")).subList(0, 5)).toList())
        .isEqualTo(
            events.stream()
                .map(
                    e ->
                        List.of(
                            String.format("+%.3fs", (e.seq() - 1) * 1.0),
                            "#" + e.seq(),
                            e.ts().toString(),
                            e.type().wireName(),
                            "executor-high"))
                .toList());
  }

  @Test
  void shouldPlayTheArchivedJsonLinesWithJson() {
    List<EventEnvelope> events = archivedWithLateSegment("ses-play-json");

    Run run = run("replays", "play", "ses-play-json", "--org", ORG, "--speed", "1000x", "--json");

    assertThat(run).isEqualTo(new Run(0, jsonLines(events), List.of()));
  }

  @Test
  void shouldRejectASpeedThatIsNotAFactor() {
    Run run = run("replays", "play", "ses-play", "--org", ORG, "--speed", "fast");

    assertThat(run.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(run.err().get(0))
        .isEqualTo(
            "Invalid value for option '--speed': 'fast' is not a speed; use a positive factor such"
                + " as 10x or 0.5x");
  }
}
