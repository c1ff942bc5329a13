package dev.agentfeed.archiver;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * @param uploadConcurrency how many sessions' S3 calls run at once (S3 is bound by round trips)
 * @param segments how open sessions are cut into segments and where buffers spill
 * @param cors which browser origins may call {@code /v1/replays/**}
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
    @NotNull Duration presignTtl,
    @Min(1) @Max(64) Integer uploadConcurrency,
    @Valid Segments segments,
    @Valid Cors cors) {

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
    uploadConcurrency = uploadConcurrency == null ? 4 : uploadConcurrency;
    segments = segments == null ? new Segments(null, null, null, null, null, null) : segments;
    cors = cors == null ? new Cors(null) : cors;
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
   * How an open session's events reach S3 before the session ends.
   *
   * @param maxBytes a session's pending events (uncompressed) are written as a segment once they
   *     reach this size (rotation by size)
   * @param maxAge a session's oldest pending event waits at most this long before its segment is
   *     written (rotation by time)
   * @param spoolDir where pending events spill when memory is short; a fresh directory under the
   *     system's temporary directory when absent
   * @param maxSpoolBytes pending events on disk, across all sessions, before the consumer pauses
   * @param multipartThreshold objects of at least this size are uploaded in parts
   * @param multipartPartSize the size of each part (S3 wants at least 5 MB, except the last)
   */
  public record Segments(
      @NotNull DataSize maxBytes,
      @NotNull Duration maxAge,
      Path spoolDir,
      @NotNull DataSize maxSpoolBytes,
      @NotNull DataSize multipartThreshold,
      @NotNull DataSize multipartPartSize) {

    private static final DataSize MIN_PART = DataSize.ofMegabytes(5);

    public Segments {
      maxBytes = maxBytes == null ? DataSize.ofMegabytes(16) : maxBytes;
      maxAge = maxAge == null ? Duration.ofMinutes(10) : maxAge;
      maxSpoolBytes = maxSpoolBytes == null ? DataSize.ofGigabytes(1) : maxSpoolBytes;
      multipartThreshold =
          multipartThreshold == null ? DataSize.ofMegabytes(16) : multipartThreshold;
      multipartPartSize = multipartPartSize == null ? DataSize.ofMegabytes(8) : multipartPartSize;
      if (multipartPartSize.compareTo(MIN_PART) < 0) {
        throw new IllegalArgumentException(
            "agentfeed.archiver.segments.multipart-part-size is "
                + multipartPartSize
                + "; S3 wants parts of at least 5MB");
      }
    }
  }

  /**
   * Cross-origin access to {@code /v1/replays/**}, for the dashboard page that plays archived
   * sessions from another origin.
   *
   * @param allowedOrigins origins such as {@code https://dashboard.example.com}; empty (the
   *     default) allows none
   */
  public record Cors(List<String> allowedOrigins) {

    public Cors {
      allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
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
