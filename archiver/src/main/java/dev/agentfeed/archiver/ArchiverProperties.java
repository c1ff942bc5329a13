package dev.agentfeed.archiver;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The archiver's own settings ({@code agentfeed.archiver.*}); Kafka client settings stay under
 * {@code spring.kafka.*}.
 *
 * @param groupId the consumer group; every archiver instance of one deployment shares it
 * @param maxBufferedBytes events held in memory across all sessions before the consumer pauses (a
 *     soft bound: one poll's records may go over it)
 * @param idleTimeout a session without events for this long is archived with status {@code idle}
 * @param commitInterval how often offsets are committed when no upload triggered a commit
 * @param pollTimeout the longest one poll waits for records
 * @param tailLookback how many days back (from a re-read tail's first event) to look for the
 *     session's existing manifest
 * @param s3 where replays are written
 * @param presignTtl how long the object URLs of {@code GET /v1/replays/{sessionId}} stay valid (S3
 *     allows at most 7 days)
 */
@Validated
@ConfigurationProperties("agentfeed.archiver")
public record ArchiverProperties(
    @NotBlank String groupId,
    @NotNull DataSize maxBufferedBytes,
    @NotNull Duration idleTimeout,
    @NotNull Duration commitInterval,
    @NotNull Duration pollTimeout,
    @NotNull Duration tailLookback,
    @Valid S3 s3,
    @NotNull Duration presignTtl) {

  private static final Duration MAX_PRESIGN_TTL = Duration.ofDays(7);

  public ArchiverProperties {
    groupId = groupId == null ? "agentfeed-archiver" : groupId;
    maxBufferedBytes = maxBufferedBytes == null ? DataSize.ofMegabytes(64) : maxBufferedBytes;
    idleTimeout = idleTimeout == null ? Duration.ofMinutes(5) : idleTimeout;
    commitInterval = commitInterval == null ? Duration.ofSeconds(5) : commitInterval;
    pollTimeout = pollTimeout == null ? Duration.ofMillis(200) : pollTimeout;
    tailLookback = tailLookback == null ? Duration.ofDays(2) : tailLookback;
    s3 = s3 == null ? new S3(null, null, null, null, null, null, null, null, null, null) : s3;
    presignTtl = presignTtl == null ? Duration.ofMinutes(15) : presignTtl;
    if (presignTtl.isNegative()
        || presignTtl.isZero()
        || presignTtl.compareTo(MAX_PRESIGN_TTL) > 0) {
      throw new IllegalArgumentException(
          "agentfeed.archiver.presign-ttl is "
              + presignTtl
              + "; S3 accepts more than 0 and at most 7 days");
    }
  }

  /**
   * The S3 endpoint and bucket.
   *
   * @param endpoint an S3-compatible endpoint (S3Proxy, MinIO); AWS S3 when absent
   * @param region the signing region
   * @param pathStyle bucket in the path rather than the host name; defaults to true when an
   *     endpoint is set
   * @param accessKey static credentials; the SDK's default credentials chain when absent
   * @param secretKey static credentials, with {@code accessKey}
   * @param bucket where replays are written
   * @param createBucket create the bucket at start when it is missing
   * @param requestTimeout the longest one S3 call may take, retries included
   * @param retryInitialBackoff the wait after the first failed upload; doubles per failure
   * @param retryMaxBackoff the longest wait between upload attempts
   */
  public record S3(
      URI endpoint,
      @NotBlank String region,
      Boolean pathStyle,
      String accessKey,
      String secretKey,
      @NotBlank String bucket,
      @NotNull Boolean createBucket,
      @NotNull Duration requestTimeout,
      @NotNull Duration retryInitialBackoff,
      @NotNull Duration retryMaxBackoff) {

    public S3 {
      region = region == null ? "us-east-1" : region;
      pathStyle = pathStyle == null ? endpoint != null : pathStyle;
      bucket = bucket == null ? "agentfeed-replays" : bucket;
      createBucket = createBucket == null || createBucket;
      requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
      retryInitialBackoff =
          retryInitialBackoff == null ? Duration.ofMillis(500) : retryInitialBackoff;
      retryMaxBackoff = retryMaxBackoff == null ? Duration.ofSeconds(30) : retryMaxBackoff;
      boolean hasAccessKey = accessKey != null && !accessKey.isBlank();
      boolean hasSecretKey = secretKey != null && !secretKey.isBlank();
      if (hasAccessKey != hasSecretKey) {
        throw new IllegalArgumentException(
            "agentfeed.archiver.s3.access-key and agentfeed.archiver.s3.secret-key are set"
                + " together or not at all (then the SDK's default credentials chain is used)");
      }
    }

    /** Whether static credentials are configured; else the SDK's default chain is used. */
    public boolean hasStaticCredentials() {
      return accessKey != null && !accessKey.isBlank();
    }
  }
}
