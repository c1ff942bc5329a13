package dev.agentfeed.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchiverPropertiesTest {

  private static ArchiverProperties.S3 s3(URI endpoint, Boolean pathStyle) {
    return new ArchiverProperties.S3(
        endpoint, null, pathStyle, null, null, null, null, null, null, null);
  }

  @Test
  void shouldUsePathStyleByDefaultOnlyWithAnEndpoint() {
    URI endpoint = URI.create("http://localhost:9000");

    assertThat(
            List.of(
                s3(null, null).pathStyle(),
                s3(endpoint, null).pathStyle(),
                s3(endpoint, false).pathStyle()))
        .isEqualTo(List.of(false, true, false));
  }

  @Test
  void shouldDefaultToTheReplayBucketInUsEast1() {
    ArchiverProperties.S3 s3 = s3(null, null);

    assertThat(List.of(s3.bucket(), s3.region(), s3.createBucket(), s3.hasStaticCredentials()))
        .isEqualTo(List.of("agentfeed-replays", "us-east-1", true, false));
  }

  @Test
  void shouldRefuseAnAccessKeyWithoutSecretKey() {
    assertThatThrownBy(
            () ->
                new ArchiverProperties.S3(
                    null, null, null, "key", null, null, null, null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set together or not at all");
  }

  @Test
  void shouldRefuseAPresignTtlS3DoesNotAccept() {
    assertThatThrownBy(
            () ->
                new ArchiverProperties(
                    null, null, null, null, null, null, null, Duration.ofDays(8), null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "agentfeed.archiver.presign-ttl is PT192H; S3 accepts more than 0 and at most 7 days");
  }
}
