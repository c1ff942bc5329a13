package dev.agentfeed.archiver.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.archiver.testing.InProcessS3;
import dev.agentfeed.model.EventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GzipObjectTest {

  private static final ReplayCodec CODEC = new ReplayCodec(new EventCodec().mapper());
  private static final String BUCKET = "gzip-objects";

  private static InProcessS3 s3;
  private static ReplayStore store;

  @TempDir Path spool;

  @BeforeAll
  static void startS3() {
    s3 = InProcessS3.start();
    s3.createBucket(BUCKET);
    store = new ReplayStore(s3.client(), BUCKET);
  }

  @AfterAll
  static void stopS3() {
    s3.close();
  }

  /** Lines from a few bytes to past the 64 KiB block size, so blocks split lines anywhere. */
  private static List<EventLine> lines() {
    List<EventLine> lines = new ArrayList<>();
    for (int seq = 1; seq <= 400; seq++) {
      String text = ("word" + seq + " ").repeat((seq * 37) % 20_000);
      byte[] line =
          ("{\"seq\":" + seq + ",\"text\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
      lines.add(new EventLine(seq, null, null, line));
    }
    return lines;
  }

  @Test
  void shouldWriteTheBytesOfGzipLinesInMemoryAndInAFile() {
    List<EventLine> lines = lines();
    byte[] expected = CODEC.gzipLines(lines.stream().map(EventLine::line).toList());

    byte[] inMemory;
    byte[] inFile;
    try (GzipObject object = GzipObject.write(lines.iterator(), 0, spool, false)) {
      inMemory = uploaded(object, "in-memory.jsonl.gz");
    }
    try (GzipObject object = GzipObject.write(lines.iterator(), 0, spool, true)) {
      inFile = uploaded(object, "in-file.jsonl.gz");
    }

    assertThat(List.of(inMemory, inFile)).containsExactly(expected, expected);
  }

  /** The object's bytes as they reach S3 (which checks them against the object's SHA-256). */
  private static byte[] uploaded(GzipObject object, String key) {
    object.putTo(store, key);
    return s3.bytes(BUCKET, key);
  }
}
