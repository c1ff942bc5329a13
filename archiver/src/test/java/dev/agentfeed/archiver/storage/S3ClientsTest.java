package dev.agentfeed.archiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.testing.ArchiverS3Settings;
import dev.agentfeed.archiver.testing.InProcessS3;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ClientsTest {

  private static final String BUCKET = "clients-test";
  private static final byte[] BYTES = "hello".getBytes(StandardCharsets.UTF_8);

  @Test
  void shouldCreateTheBucketAndPutAndGetObjects() {
    try (InProcessS3 s3 = InProcessS3.start();
        S3Client client = S3Clients.create(ArchiverS3Settings.of(s3, BUCKET))) {
      ReplayStore store = new ReplayStore(client, BUCKET);

      store.ensureBucket();
      store.ensureBucket();
      store.put("a/b.txt", BYTES, "text/plain", ReplayCodec.sha256Hex(BYTES));

      assertThat(List.of(store.get("a/b.txt").map(String::new), store.get("a/missing.txt")))
          .isEqualTo(List.of(Optional.of("hello"), Optional.empty()));
    }
  }

  @Test
  void shouldUploadAfterTheServerClosedAKeptAliveConnection() {
    try (InProcessS3 s3 = InProcessS3.start();
        S3Client client = S3Clients.create(ArchiverS3Settings.of(s3, BUCKET))) {
      ReplayStore store = new ReplayStore(client, BUCKET);
      store.ensureBucket();
      store.put("first", BYTES, "text/plain", ReplayCodec.sha256Hex(BYTES));

      s3.stop();
      s3.restart();
      store.put("second", BYTES, "text/plain", ReplayCodec.sha256Hex(BYTES));

      assertThat(s3.keys(BUCKET, "")).isEqualTo(List.of("first", "second"));
    }
  }

  @Test
  void shouldRefuseAnUploadWhoseBytesDoNotMatchTheirChecksum() {
    try (InProcessS3 s3 = InProcessS3.start();
        S3Client client = S3Clients.create(ArchiverS3Settings.of(s3, BUCKET))) {
      ReplayStore store = new ReplayStore(client, BUCKET);
      store.ensureBucket();

      assertThatThrownBy(
              () -> store.put("bad", BYTES, "text/plain", ReplayCodec.sha256Hex(new byte[0])))
          .isInstanceOf(S3Exception.class);
      assertThat(s3.keys(BUCKET, "")).isEmpty();
    }
  }
}
