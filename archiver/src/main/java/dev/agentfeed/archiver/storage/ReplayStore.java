package dev.agentfeed.archiver.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
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
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archiver's only door to S3 (and the auditor tools'): puts, gets, lists and deletes objects in
 * the replay bucket; large files go up as multipart uploads. Every put carries the object's
 * SHA-256, so S3 refuses an upload whose bytes differ from what the manifest will claim. Failures
 * surface as {@link SdkException}; retrying is the caller's decision.
 */
public final class ReplayStore {

  private static final Logger log = LoggerFactory.getLogger(ReplayStore.class);

  /** S3 refuses parts below 5 MiB (except the last). */
  private static final long MIN_PART_BYTES = 5L * 1024 * 1024;

  private static final long DEFAULT_MULTIPART_BYTES = 16L * 1024 * 1024;

  private final S3Client s3;
  private final String bucket;
  private final long multipartThreshold;
  private final long partSize;

  public ReplayStore(S3Client s3, String bucket) {
    this(s3, bucket, DEFAULT_MULTIPART_BYTES, 8L * 1024 * 1024);
  }

  /**
   * @param multipartThreshold files of at least this size are uploaded in parts
   * @param partSize the size of each part, at least 5 MiB
   */
  public ReplayStore(S3Client s3, String bucket, long multipartThreshold, long partSize) {
    if (partSize < MIN_PART_BYTES) {
      throw new IllegalArgumentException("S3 parts are at least 5 MiB, not " + partSize);
    }
    this.s3 = s3;
    this.bucket = bucket;
    this.multipartThreshold = multipartThreshold;
    this.partSize = partSize;
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
    String sha256Base64 = base64(sha256Hex);
    s3.putObject(
        b ->
            b.bucket(bucket)
                .key(key)
                .contentType(contentType)
                .contentLength((long) bytes.length)
                .checksumSHA256(sha256Base64),
        RequestBody.fromBytes(bytes));
  }

  /**
   * Writes the file as the object: in one request when small, else as a multipart upload whose
   * parts carry their own SHA-256 (S3 refuses a part whose bytes differ). A failed multipart upload
   * is aborted, so no half-written object appears; its key is written whole or not at all.
   *
   * @param sha256Hex the whole file's SHA-256, lower-case hex; checked by S3 on a single upload
   */
  public void put(String key, Path file, String contentType, String sha256Hex) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    if (size < multipartThreshold) {
      s3.putObject(
          b ->
              b.bucket(bucket)
                  .key(key)
                  .contentType(contentType)
                  .contentLength(size)
                  .checksumSHA256(base64(sha256Hex)),
          RequestBody.fromFile(file));
      return;
    }
    putMultipart(key, file, size, contentType);
  }

  private void putMultipart(String key, Path file, long size, String contentType) {
    String uploadId =
        s3.createMultipartUpload(
                b ->
                    b.bucket(bucket)
                        .key(key)
                        .contentType(contentType)
                        .checksumAlgorithm(ChecksumAlgorithm.SHA256))
            .uploadId();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      List<CompletedPart> parts = new ArrayList<>();
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(partSize, size));
      for (int number = 1; channel.position() < size; number++) {
        buffer.clear();
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
          // Fill the part; the last one may be shorter.
        }
        byte[] part = Arrays.copyOf(buffer.array(), buffer.position());
        int partNumber = number;
        String checksum = base64(sha256(part));
        String etag =
            s3.uploadPart(
                    b ->
                        b.bucket(bucket)
                            .key(key)
                            .uploadId(uploadId)
                            .partNumber(partNumber)
                            .contentLength((long) part.length)
                            .checksumSHA256(checksum),
                    RequestBody.fromBytes(part))
                .eTag();
        parts.add(
            CompletedPart.builder()
                .partNumber(partNumber)
                .eTag(etag)
                .checksumSHA256(checksum)
                .build());
      }
      s3.completeMultipartUpload(
          b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
    } catch (IOException | RuntimeException e) {
      abort(key, uploadId, e);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot read " + file, io);
      }
      throw (RuntimeException) e;
    }
  }

  private void abort(String key, String uploadId, Exception cause) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
    } catch (SdkException e) {
      // The bucket's lifecycle rule (AbortIncompleteMultipartUpload) removes it later.
      cause.addSuppressed(e);
    }
  }

  /** Deletes the object; deleting a missing object is not an error (S3 semantics). */
  public void delete(String key) {
    s3.deleteObject(b -> b.bucket(bucket).key(key));
  }

  /** The object as a stream, to read large objects without holding them; the caller closes it. */
  public Optional<InputStream> open(String key) {
    try {
      return Optional.of(s3.getObject(b -> b.bucket(bucket).key(key)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    }
  }

  private static String base64(String sha256Hex) {
    return base64(HexFormat.of().parseHex(sha256Hex));
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
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
