package dev.agentfeed.archiver.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InProcessS3Test {

  @Test
  void shouldKeepObjectsAcrossARestartOnTheSamePort() {
    try (InProcessS3 s3 = InProcessS3.start()) {
      s3.createBucket("bucket-1");
      s3.put("bucket-1", "a/x.txt", "hello".getBytes(StandardCharsets.UTF_8));

      s3.stop();
      s3.restart();

      assertThat(s3.keys("bucket-1", "a/")).isEqualTo(java.util.List.of("a/x.txt"));
      assertThat(s3.bytes("bucket-1", "a/x.txt"))
          .isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
    }
  }
}
