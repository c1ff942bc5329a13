package dev.agentfeed.archiver.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentfeed.model.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayCodecTest {

  private final ReplayCodec codec = new ReplayCodec(new EventCodec().mapper());

  private static final List<byte[]> LINES =
      List.of(
          "{\"id\":\"e1\",\"seq\":1}".getBytes(StandardCharsets.UTF_8),
          "{\"id\":\"e2\",\"seq\":2,\"text\":\"ünïcode\"}".getBytes(StandardCharsets.UTF_8));

  private static final ReplayManifest MANIFEST =
      new ReplayManifest(
          1,
          1,
          "org-1",
          "ses-1",
          "executor-high",
          SessionStatus.COMPLETED,
          2,
          1,
          2,
          Instant.parse("2026-01-30T12:00:00.123Z"),
          Instant.parse("2026-01-30T12:00:01Z"),
          List.of(
              new ReplayObject(
                  "replays/org=org-1/date=2026-01-30/session=ses-1/replay.jsonl.gz",
                  90,
                  "ab".repeat(32),
                  2,
                  1,
                  2)));

  @Test
  void shouldGzipTheSameLinesToTheSameBytes() {
    assertThat(codec.gzipLines(LINES)).isEqualTo(codec.gzipLines(LINES));
  }

  @Test
  void shouldWriteAGzipHeaderWithoutFileNameAndWithoutModificationTime() {
    byte[] header = Arrays.copyOf(codec.gzipLines(LINES), 10);

    // magic, deflate, no flags (so no file name), mtime 0, no extra flags, OS 255 (unknown)
    assertThat(header).isEqualTo(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
  }

  @Test
  void shouldReadBackTheLinesItWrote() {
    assertThat(codec.readLines(codec.gzipLines(LINES)))
        .isEqualTo(
            List.of("{\"id\":\"e1\",\"seq\":1}", "{\"id\":\"e2\",\"seq\":2,\"text\":\"ünïcode\"}"));
  }

  @Test
  void shouldWriteTheManifestAsCompactJsonWithFieldsInContractOrder() {
    assertThat(new String(codec.writeManifest(MANIFEST), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"formatVersion\":1,\"manifestVersion\":1,\"orgId\":\"org-1\",\"sessionId\":\"ses-1\","
                + "\"agentId\":\"executor-high\",\"status\":\"completed\",\"eventCount\":2,"
                + "\"firstSeq\":1,\"lastSeq\":2,\"firstTs\":\"2026-01-30T12:00:00.123Z\","
                + "\"lastTs\":\"2026-01-30T12:00:01Z\",\"objects\":[{\"key\":"
                + "\"replays/org=org-1/date=2026-01-30/session=ses-1/replay.jsonl.gz\","
                + "\"bytes\":90,\"sha256\":\""
                + "ab".repeat(32)
                + "\",\"events\":2,\"firstSeq\":1,\"lastSeq\":2}]}\n");
  }

  @Test
  void shouldReadBackTheManifestItWrote() {
    assertThat(codec.readManifest(codec.writeManifest(MANIFEST))).isEqualTo(MANIFEST);
  }

  @Test
  void shouldRefuseAManifestOfAnUnknownFormatVersion() {
    byte[] json =
        new String(codec.writeManifest(MANIFEST), StandardCharsets.UTF_8)
            .replace("\"formatVersion\":1", "\"formatVersion\":2")
            .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> codec.readManifest(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("manifest format version 2 is not supported");
  }

  @Test
  void shouldHashAsLowerCaseHexSha256() {
    assertThat(ReplayCodec.sha256Hex("abc".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
