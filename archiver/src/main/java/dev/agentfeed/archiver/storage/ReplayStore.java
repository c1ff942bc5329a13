package dev.agentfeed.archiver.storage;

import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archiver's only door to S3 (and the auditor tools'): puts, gets and lists whole objects in
 * the replay bucket. Every put carries the object's SHA-256, so S3 refuses an upload whose bytes
 * differ from what the manifest will claim. Failures surface as {@link SdkException}; retrying is
 * the caller's decision.
 */
public final class ReplayStore {

  private static final Logger log = LoggerFactory.getLogger(ReplayStore.class);

  private final S3Client s3;
  private final String bucket;

  public ReplayStore(S3Client s3, String bucket) {
    this.s3 = s3;
    this.bucket = bucket;
  }

  public String bucket() {
    return bucket;
  }

  /** Creates the bucket unless it exists. */
  public void ensureBucket() {
    try {
      s3.headBucket(b -> b.bucket(bucket));
      return;
    } catch (NoSuchBucketException e) {
      log.info("Creating bucket {}", bucket);
    }
    try {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException e) {
      log.debug("Bucket {} was created meanwhile", bucket);
    }
  }

  /**
   * Writes the whole object.
   *
   * @param sha256Hex the bytes' SHA-256, lower-case hex; S3 checks it on arrival
   */
  public void put(String key, byte[] bytes, String contentType, String sha256Hex) {
    String sha256Base64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256Hex));
    s3.putObject(
        b ->
            b.bucket(bucket)
                .key(key)
                .contentType(contentType)
                .contentLength((long) bytes.length)
                .checksumSHA256(sha256Base64),
        RequestBody.fromBytes(bytes));
  }

  /** Every key under the prefix, in key order. */
  public List<String> keys(String prefix) {
    return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .toList();
  }

  /**
   * The "folders" directly under the prefix: the distinct key prefixes up to the next {@code /}, in
   * key order (e.g. {@code replays/org=demo/date=2026-01-30/} under {@code replays/org=demo/}).
   */
  public List<String> folders(String prefix) {
    return s3
        .listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).delimiter("/"))
        .commonPrefixes()
        .stream()
        .map(CommonPrefix::prefix)
        .toList();
  }

  /** The whole object, or empty when there is no object under the key. */
  public Optional<byte[]> get(String key) {
    try {
      return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    }
  }
}
