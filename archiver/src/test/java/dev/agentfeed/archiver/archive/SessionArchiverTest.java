package dev.agentfeed.archiver.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.ReplayFolder;
import dev.agentfeed.archiver.replay.ReplayManifest;
import dev.agentfeed.archiver.replay.ReplayObject;
import dev.agentfeed.archiver.replay.SessionStatus;
import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.archiver.testing.InProcessS3;
import dev.agentfeed.archiver.testing.TestSessions;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.SessionRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;

class SessionArchiverTest {

  private static final String BUCKET = "archiver-test";
  private static final Instant START = Instant.parse("2026-01-30T12:00:00Z");
  private static final EventCodec EVENTS = new EventCodec();
  private static final ReplayCodec CODEC = new ReplayCodec(EVENTS.mapper());

  private static InProcessS3 s3;
  private static SessionArchiver archiver;

  @BeforeAll
  static void startS3() {
    s3 = InProcessS3.start();
    s3.createBucket(BUCKET);
    archiver = archiver(new ReplayStore(s3.client(), BUCKET));
  }

  private static SessionArchiver archiver(ReplayStore store) {
    try {
      return new SessionArchiver(
          store,
          CODEC,
          EVENTS.mapper(),
          Duration.ofDays(2),
          Files.createTempDirectory("archiver-test"),
          1024,
          ArchiveListener.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stopS3() {
    s3.close();
  }

  private static SessionArchiver.Outcome archive(List<EventEnvelope> events, SessionStatus status) {
    try (SessionBuffer buffer = TestArchives.buffer(events)) {
      return archiver.archive(buffer, status);
    }
  }

  private static List<String> lines(List<EventEnvelope> events) {
    return events.stream().map(EVENTS::toJson).toList();
  }

  private static ReplayFolder folder(String sessionId) {
    return ReplayFolder.of(new SessionRef("org-1", sessionId), START);
  }

  @Test
  void shouldWriteTheReplayAndThenAManifestThatDescribesIt() {
    List<EventEnvelope> events = TestSessions.open("org-1", "ses-failed", 6, START);
    ReplayFolder folder = folder("ses-failed");

    SessionArchiver.Outcome outcome = archive(events, SessionStatus.FAILED);

    byte[] replay = s3.bytes(BUCKET, folder.replayKey());
    assertThat(outcome).isEqualTo(SessionArchiver.Outcome.REPLAY_WRITTEN);
    assertThat(s3.keys(BUCKET, folder.prefix()))
        .isEqualTo(List.of(folder.manifestKey(1), folder.manifestKey(), folder.replayKey()));
    assertThat(CODEC.readLines(replay)).isEqualTo(lines(events));
    assertThat(CODEC.readManifest(s3.bytes(BUCKET, folder.manifestKey())))
        .isEqualTo(
            new ReplayManifest(
                1,
                1,
                "org-1",
                "ses-failed",
                "executor-high",
                SessionStatus.FAILED,
                6,
                1,
                6,
                START,
                START.plusSeconds(5),
                List.of(
                    new ReplayObject(
                        folder.replayKey(),
                        replay.length,
                        ReplayCodec.sha256Hex(replay),
                        6,
                        1,
                        6))));
  }

  @Test
  void shouldLeaveASessionTheManifestAlreadyCoversAsItIs() {
    List<EventEnvelope> events = TestSessions.completed("org-1", "ses-again", 10, START);
    archive(events, SessionStatus.COMPLETED);
    ReplayFolder folder = folder("ses-again");
    byte[] replay = s3.bytes(BUCKET, folder.replayKey());

    List<SessionArchiver.Outcome> outcomes =
        List.of(
            archive(events, SessionStatus.COMPLETED),
            archive(events.subList(5, 10), SessionStatus.COMPLETED));

    assertThat(outcomes)
        .isEqualTo(
            List.of(
                SessionArchiver.Outcome.ALREADY_ARCHIVED,
                SessionArchiver.Outcome.ALREADY_ARCHIVED));
    assertThat(s3.keys(BUCKET, folder.prefix()))
        .isEqualTo(List.of(folder.manifestKey(1), folder.manifestKey(), folder.replayKey()));
    assertThat(s3.bytes(BUCKET, folder.replayKey())).isEqualTo(replay);
  }

  @Test
  void shouldWriteEventsAfterTheManifestAsASegmentAndLeaveTheReplayAlone() {
    List<EventEnvelope> events = TestSessions.open("org-1", "ses-late", 12, START);
    archive(events.subList(0, 10), SessionStatus.IDLE);
    ReplayFolder folder = folder("ses-late");
    byte[] replay = s3.bytes(BUCKET, folder.replayKey());
    byte[] manifest = s3.bytes(BUCKET, folder.manifestKey());

    SessionArchiver.Outcome outcome = archive(events.subList(7, 12), SessionStatus.IDLE);

    assertThat(outcome).isEqualTo(SessionArchiver.Outcome.SEGMENT_WRITTEN);
    assertThat(s3.keys(BUCKET, folder.prefix()))
        .isEqualTo(
            List.of(
                folder.manifestKey(1),
                folder.manifestKey(2),
                folder.manifestKey(),
                folder.replayKey(),
                folder.segmentKey(11, 12)));
    assertThat(CODEC.readLines(s3.bytes(BUCKET, folder.segmentKey(11, 12))))
        .isEqualTo(lines(events.subList(10, 12)));
    assertThat(
            List.of(s3.bytes(BUCKET, folder.replayKey()), s3.bytes(BUCKET, folder.manifestKey(1))))
        .containsExactly(replay, manifest);
  }

  @Test
  void shouldListTheReplayAndTheLateSegmentInManifestVersionTwo() {
    List<EventEnvelope> events = TestSessions.completed("org-1", "ses-v2", 12, START);
    archive(events.subList(0, 10), SessionStatus.IDLE);
    ReplayFolder folder = folder("ses-v2");
    ReplayManifest first = CODEC.readManifest(s3.bytes(BUCKET, folder.manifestKey()));

    archive(events.subList(10, 12), SessionStatus.COMPLETED);

    byte[] segment = s3.bytes(BUCKET, folder.segmentKey(11, 12));
    ReplayManifest expected =
        new ReplayManifest(
            1,
            2,
            "org-1",
            "ses-v2",
            "executor-high",
            SessionStatus.COMPLETED,
            12,
            1,
            12,
            START,
            START.plusSeconds(11),
            List.of(
                first.objects().get(0),
                new ReplayObject(
                    folder.segmentKey(11, 12),
                    segment.length,
                    ReplayCodec.sha256Hex(segment),
                    2,
                    11,
                    12)));
    assertThat(
            List.of(
                CODEC.readManifest(s3.bytes(BUCKET, folder.manifestKey())),
                CODEC.readManifest(s3.bytes(BUCKET, folder.manifestKey(2))),
                CODEC.readManifest(s3.bytes(BUCKET, folder.manifestKey(1)))))
        .isEqualTo(List.of(expected, expected, first));
  }

  @Test
  void shouldAddAVersionPerBatchOfLateEvents() {
    List<EventEnvelope> events = TestSessions.open("org-1", "ses-v3", 9, START);
    archive(events.subList(0, 5), SessionStatus.IDLE);
    archive(events.subList(5, 7), SessionStatus.IDLE);

    archive(events.subList(7, 9), SessionStatus.IDLE);

    ReplayFolder folder = folder("ses-v3");
    ReplayManifest latest = CODEC.readManifest(s3.bytes(BUCKET, folder.manifestKey()));
    assertThat(List.of(latest.manifestVersion(), latest.eventCount(), latest.lastSeq()))
        .isEqualTo(List.of(3, 9L, 9L));
    assertThat(latest.objects().stream().map(ReplayObject::key).toList())
        .isEqualTo(List.of(folder.replayKey(), folder.segmentKey(6, 7), folder.segmentKey(8, 9)));
  }

  @Test
  void shouldWriteTheSameVersionAgainWhenACrashLeftOnlyItsVersionedCopy() {
    List<EventEnvelope> events = TestSessions.open("org-1", "ses-v2-crash", 8, START);
    ReplayFolder folder = folder("ses-v2-crash");
    archive(events.subList(0, 6), SessionStatus.IDLE);
    byte[] first = s3.bytes(BUCKET, folder.manifestKey());
    archive(events.subList(6, 8), SessionStatus.IDLE);
    byte[] second = s3.bytes(BUCKET, folder.manifestKey());
    s3.put(BUCKET, folder.manifestKey(), first);

    archive(events.subList(6, 8), SessionStatus.IDLE);

    assertThat(
            List.of(
                s3.bytes(BUCKET, folder.manifestKey()), s3.bytes(BUCKET, folder.manifestKey(2))))
        .containsExactly(second, second);
  }

  @Test
  void shouldFindTheManifestOfASessionThatStartedTheDayBefore() {
    Instant beforeMidnight = Instant.parse("2026-01-30T23:59:50Z");
    List<EventEnvelope> events = TestSessions.open("org-1", "ses-midnight", 22, beforeMidnight);
    archive(events.subList(0, 20), SessionStatus.IDLE);
    ReplayFolder folder = ReplayFolder.of(new SessionRef("org-1", "ses-midnight"), beforeMidnight);

    archive(events.subList(14, 22), SessionStatus.IDLE);

    assertThat(events.get(14).ts()).isAfter(Instant.parse("2026-01-31T00:00:00Z"));
    assertThat(s3.keys(BUCKET, "replays/org=org-1/date=2026-01-31/session=ses-midnight/"))
        .isEmpty();
    assertThat(s3.keys(BUCKET, folder.prefix()))
        .isEqualTo(
            List.of(
                folder.manifestKey(1),
                folder.manifestKey(2),
                folder.manifestKey(),
                folder.replayKey(),
                folder.segmentKey(21, 22)));
  }

  @Test
  void shouldWriteATailWithoutManifestAsASegmentRatherThanAReplay() {
    List<EventEnvelope> events = TestSessions.open("org-1", "ses-headless", 7, START);

    SessionArchiver.Outcome outcome = archive(events.subList(4, 7), SessionStatus.IDLE);

    ReplayFolder folder =
        ReplayFolder.of(new SessionRef("org-1", "ses-headless"), events.get(4).ts());
    assertThat(outcome).isEqualTo(SessionArchiver.Outcome.SEGMENT_WRITTEN);
    assertThat(s3.keys(BUCKET, folder.prefix())).isEqualTo(List.of(folder.segmentKey(5, 7)));
  }

  @Test
  void shouldWriteTheSameBytesAgainWhenACrashLeftTheReplayWithoutManifest() {
    List<EventEnvelope> events = TestSessions.completed("org-1", "ses-crash", 20, START);
    ReplayFolder folder = folder("ses-crash");
    archive(events, SessionStatus.COMPLETED);
    byte[] replay = s3.bytes(BUCKET, folder.replayKey());
    byte[] manifest = s3.bytes(BUCKET, folder.manifestKey());
    s3.delete(BUCKET, folder.manifestKey());

    SessionArchiver.Outcome outcome = archive(events, SessionStatus.COMPLETED);

    assertThat(outcome).isEqualTo(SessionArchiver.Outcome.REPLAY_WRITTEN);
    assertThat(
            List.of(s3.bytes(BUCKET, folder.replayKey()), s3.bytes(BUCKET, folder.manifestKey())))
        .containsExactly(replay, manifest);
  }

  @Test
  void shouldKeepAnIdleReplayAndAppendTheRestWhenTheSessionIsReadAgainLonger() {
    List<EventEnvelope> events = TestSessions.completed("org-1", "ses-grown", 8, START);
    ReplayFolder folder = folder("ses-grown");
    archive(events.subList(0, 5), SessionStatus.IDLE);
    byte[] replay = s3.bytes(BUCKET, folder.replayKey());

    SessionArchiver.Outcome outcome = archive(events, SessionStatus.COMPLETED);

    ReplayManifest manifest = CODEC.readManifest(s3.bytes(BUCKET, folder.manifestKey()));
    assertThat(outcome).isEqualTo(SessionArchiver.Outcome.SEGMENT_WRITTEN);
    assertThat(List.of(manifest.status(), manifest.eventCount(), manifest.lastSeq()))
        .isEqualTo(List.of(SessionStatus.COMPLETED, 8L, 8L));
    assertThat(s3.bytes(BUCKET, folder.replayKey())).isEqualTo(replay);
    assertThat(CODEC.readLines(s3.bytes(BUCKET, folder.segmentKey(6, 8))))
        .isEqualTo(lines(events.subList(5, 8)));
  }

  @Test
  void shouldThrowAndWriteNothingWhileS3IsDown() {
    List<EventEnvelope> events = TestSessions.completed("org-1", "ses-outage", 4, START);
    s3.stop();
    try {
      assertThatThrownBy(() -> archive(events, SessionStatus.COMPLETED))
          .isInstanceOf(SdkException.class);
    } finally {
      s3.restart();
    }

    assertThat(archive(events, SessionStatus.COMPLETED))
        .isEqualTo(SessionArchiver.Outcome.REPLAY_WRITTEN);
  }

  @Test
  void shouldCompactSegmentsIntoTheSameReplayAsASessionWrittenAtOnce() {
    List<EventEnvelope> events = TestSessions.completed("org-1", "ses-segments", 30, START);
    ReplayFolder folder = folder("ses-segments");
    SessionFolder found = archiver.resolve(events.get(0).session(), 1, START);
    try (SessionBuffer first = TestArchives.buffer(events.subList(0, 12));
        SessionBuffer second = TestArchives.buffer(events.subList(12, 25));
        SessionBuffer rest = TestArchives.buffer(events.subList(25, 30))) {
      archiver.writeSegment(found, first);
      archiver.writeSegment(found, second);
      assertThat(s3.keys(BUCKET, folder.prefix()))
          .isEqualTo(List.of(folder.segmentKey(1, 12), folder.segmentKey(13, 25)));

      archiver.finish(found, rest, SessionStatus.COMPLETED);
    }

    byte[] replay = s3.bytes(BUCKET, folder.replayKey());
    assertThat(s3.keys(BUCKET, folder.prefix()))
        .isEqualTo(List.of(folder.manifestKey(1), folder.manifestKey(), folder.replayKey()));
    assertThat(replay).isEqualTo(CODEC.gzipLines(lineBytes(events)));
  }

  @Test
  void shouldSkipEventsASegmentHoldsWhenTheSessionIsReadAgain() {
    List<EventEnvelope> events = TestSessions.open("org-1", "ses-reread", 8, START);
    ReplayFolder folder = folder("ses-reread");
    try (SessionBuffer first = TestArchives.buffer(events.subList(0, 5));
        SessionBuffer again = TestArchives.buffer(events)) {
      archiver.writeSegment(archiver.resolve(events.get(0).session(), 1, START), first);

      SessionFolder found = archiver.resolve(events.get(0).session(), 1, START);
      archiver.writeSegment(found, again);

      assertThat(List.of(found.covered(), s3.keys(BUCKET, folder.prefix())))
          .isEqualTo(List.of(8L, List.of(folder.segmentKey(1, 5), folder.segmentKey(6, 8))));
      assertThat(CODEC.readLines(s3.bytes(BUCKET, folder.segmentKey(6, 8))))
          .isEqualTo(lines(events.subList(5, 8)));
    }
  }

  @Test
  void shouldDeleteSegmentsACrashLeftAfterTheManifestWhenFinishingAgain() {
    List<EventEnvelope> events = TestSessions.completed("org-1", "ses-leftover", 10, START);
    ReplayFolder folder = folder("ses-leftover");
    archive(events, SessionStatus.COMPLETED);
    byte[] leftover = CODEC.gzipLines(lineBytes(events.subList(0, 4)));
    s3.put(BUCKET, folder.segmentKey(1, 4), leftover);

    SessionArchiver.Outcome outcome = archive(events, SessionStatus.COMPLETED);

    assertThat(List.of(outcome, s3.keys(BUCKET, folder.prefix())))
        .isEqualTo(
            List.of(
                SessionArchiver.Outcome.ALREADY_ARCHIVED,
                List.of(folder.manifestKey(1), folder.manifestKey(), folder.replayKey())));
  }

  @Test
  void shouldUploadAnObjectOverTheThresholdInPartsWithTheSameBytes() {
    SessionArchiver multipart = archiver(new ReplayStore(s3.client(), BUCKET, 1, 5L * 1024 * 1024));
    List<EventEnvelope> events = TestSessions.completed("org-1", "ses-multipart", 40, START);
    ReplayFolder folder = folder("ses-multipart");

    try (SessionBuffer buffer = TestArchives.buffer(events)) {
      multipart.archive(buffer, SessionStatus.COMPLETED);
    }

    byte[] replay = s3.bytes(BUCKET, folder.replayKey());
    ReplayManifest manifest = CODEC.readManifest(s3.bytes(BUCKET, folder.manifestKey()));
    assertThat(replay).isEqualTo(CODEC.gzipLines(lineBytes(events)));
    assertThat(manifest.objects().get(0).sha256()).isEqualTo(ReplayCodec.sha256Hex(replay));
  }

  private static List<byte[]> lineBytes(List<EventEnvelope> events) {
    return events.stream().map(EVENTS::toBytes).toList();
  }
}
