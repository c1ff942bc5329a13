package dev.agentfeed.archiver.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.archiver.archive.TestArchives;
import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.archiver.testing.InProcessS3;
import dev.agentfeed.archiver.testing.TestSessions;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.SessionRef;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Verification of sessions the archiver's own writer archived, on a real S3 endpoint. */
class ReplayVerifierTest {

  private static final String BUCKET = "verifier-test";
  private static final String ORG = "org-verify";
  private static final Instant START = Instant.parse("2026-01-30T12:00:00Z");
  private static final EventCodec EVENTS = new EventCodec();
  private static final ReplayCodec CODEC = new ReplayCodec(EVENTS.mapper());

  private static InProcessS3 s3;
  private static TestArchives archives;
  private static ReplayCatalog catalog;
  private static ReplayVerifier verifier;

  @BeforeAll
  static void start() {
    s3 = InProcessS3.start();
    s3.createBucket(BUCKET);
    archives = new TestArchives(s3.client(), BUCKET);
    ReplayStore store = new ReplayStore(s3.client(), BUCKET);
    catalog = new ReplayCatalog(store, CODEC);
    verifier = new ReplayVerifier(store, CODEC, EVENTS.mapper());
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  private static ReplayVerifier.Result verify(String sessionId) {
    return verifier.verify(catalog.find(ORG, sessionId).orElseThrow());
  }

  private static ReplayFolder folder(String sessionId) {
    return ReplayFolder.of(new SessionRef(ORG, sessionId), START);
  }

  @Test
  void shouldFailOnATamperedObject() {
    List<EventEnvelope> events = TestSessions.completed(ORG, "ses-tampered", 5, START);
    archives.archive(events, SessionStatus.COMPLETED);
    ReplayFolder folder = folder("ses-tampered");
    byte[] listed = s3.bytes(BUCKET, folder.replayKey());
    byte[] forged = CODEC.gzipLines(events.stream().map(EVENTS::toBytes).toList().subList(0, 4));
    s3.put(BUCKET, folder.replayKey(), forged);

    ReplayVerifier.Result result = verify("ses-tampered");

    assertThat(result.ok()).isFalse();
    assertThat(result.problems())
        .contains(
            folder.replayKey()
                + ": CHECKSUM MISMATCH, sha256 is "
                + ReplayCodec.sha256Hex(forged)
                + ", the manifest says "
                + ReplayCodec.sha256Hex(listed));
  }

  @Test
  void shouldFailOnAMissingSegment() {
    List<EventEnvelope> events = TestSessions.completed(ORG, "ses-missing", 8, START);
    archives.archive(events.subList(0, 5), SessionStatus.IDLE);
    archives.archive(events.subList(5, 8), SessionStatus.COMPLETED);
    ReplayFolder folder = folder("ses-missing");
    s3.delete(BUCKET, folder.segmentKey(6, 8));

    ReplayVerifier.Result result = verify("ses-missing");

    assertThat(result.problems())
        .isEqualTo(
            List.of(
                folder.segmentKey(6, 8) + ": MISSING, listed in the manifest but not in the bucket",
                "GAP: 3 events missing from 1..8: seq 6..8",
                "manifest says 8 events, the objects hold 5"));
  }

  @Test
  void shouldVerifyWithAWarningWhileCompactionHasNotYetDeletedTheSegmentsItMerged() {
    List<EventEnvelope> events = TestSessions.completed(ORG, "ses-midway", 9, START);
    archives.archive(events, SessionStatus.COMPLETED);
    ReplayFolder folder = folder("ses-midway");
    // As between compaction's manifest and its deletes: a merged segment still in the folder.
    s3.put(
        BUCKET,
        folder.segmentKey(1, 6),
        CODEC.gzipLines(events.subList(0, 6).stream().map(EVENTS::toBytes).toList()));

    ReplayVerifier.Result result = verify("ses-midway");

    assertThat(List.of(result.ok(), result.events(), result.warnings()))
        .isEqualTo(
            List.of(
                true,
                9L,
                List.of(folder.segmentKey(1, 6) + " is not listed in manifest version 1")));
  }
}
