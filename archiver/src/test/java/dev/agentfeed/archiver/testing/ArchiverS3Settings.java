package dev.agentfeed.archiver.testing;

import dev.agentfeed.archiver.ArchiverProperties;
import java.time.Duration;

/**
 * The archiver's S3 settings for an {@link InProcessS3}, for tests that build the parts by hand.
 */
public final class ArchiverS3Settings {

  private ArchiverS3Settings() {}

  public static ArchiverProperties.S3 of(InProcessS3 s3, String bucket) {
    return new ArchiverProperties.S3(
        s3.endpoint(),
        "us-east-1",
        null,
        InProcessS3.ACCESS_KEY,
        InProcessS3.SECRET_KEY,
        bucket,
        true,
        Duration.ofSeconds(5),
        null,
        null);
  }
}
