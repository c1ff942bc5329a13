package dev.agentfeed.archiver.testing;

import java.io.InputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.S3Exceptions;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 HTTP endpoint in this JVM: S3Proxy over its in-memory store, on a random local port,
 * with static credentials. {@link #stop()} and {@link #restart()} take the endpoint down and bring
 * it back on the same port with the same objects, to test behaviour during an S3 outage.
 *
 * <p>Use: {@code InProcessS3 s3 = InProcessS3.start();} then pass {@link
 * #archiverArguments(String)} to the archiver, read back with {@link #client()}, and {@link
 * #close()} at the end.
 */
public final class InProcessS3 implements AutoCloseable {

  public static final String ACCESS_KEY = "agentfeed";
  public static final String SECRET_KEY = "agentfeed-secret";

  private final Set<String> failingPrefixes = ConcurrentHashMap.newKeySet();
  private final BlobStore store = new FailingWrites(new TransientNio2BlobStore(), failingPrefixes);
  private final S3Client client;
  private S3Proxy proxy;
  private final int port;

  private InProcessS3() throws Exception {
    this.proxy = newProxy(0);
    proxy.start();
    this.port = proxy.getPort();
    this.client =
        S3Client.builder()
            .endpointOverride(endpoint())
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  /** Starts an empty endpoint on a free port. */
  public static InProcessS3 start() {
    try {
      return new InProcessS3();
    } catch (Exception e) {
      throw new IllegalStateException("S3Proxy did not start", e);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /**
   * The archiver's S3 settings for this endpoint, as {@code --name=value} arguments for {@code
   * SpringApplication.run}.
   */
  public List<String> archiverArguments(String bucket) {
    return archiverProperties(bucket).entrySet().stream()
        .map(e -> "--" + e.getKey() + "=" + e.getValue())
        .toList();
  }

  /** The archiver's S3 settings for this endpoint, as property names and values. */
  public Map<String, String> archiverProperties(String bucket) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("agentfeed.archiver.s3.endpoint", endpoint().toString());
    properties.put("agentfeed.archiver.s3.region", "us-east-1");
    properties.put("agentfeed.archiver.s3.access-key", ACCESS_KEY);
    properties.put("agentfeed.archiver.s3.secret-key", SECRET_KEY);
    properties.put("agentfeed.archiver.s3.bucket", bucket);
    return properties;
  }

  /** A path-style client with the endpoint's credentials, to read what was written. */
  public S3Client client() {
    return client;
  }

  public void createBucket(String bucket) {
    client.createBucket(b -> b.bucket(bucket));
  }

  /** The keys in a bucket under a prefix, in S3's (lexicographic) order. */
  public List<String> keys(String bucket, String prefix) {
    return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .toList();
  }

  public byte[] bytes(String bucket, String key) {
    return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  public void put(String bucket, String key, byte[] bytes) {
    client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
  }

  public void delete(String bucket, String key) {
    client.deleteObject(b -> b.bucket(bucket).key(key));
  }

  /**
   * Makes every write of an object under the prefix fail with a 500 (the rest of the endpoint keeps
   * working) until {@link #healWrites()}.
   */
  public void failWritesUnder(String prefix) {
    failingPrefixes.add(prefix);
  }

  /** Lets every write succeed again. */
  public void healWrites() {
    failingPrefixes.clear();
  }

  /** Takes the endpoint down: connections are refused until {@link #restart()}. */
  public synchronized void stop() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("S3Proxy did not stop", e);
    }
  }

  /** Serves again on the same port, with every object kept. */
  public synchronized void restart() {
    try {
      proxy = newProxy(port);
      proxy.start();
    } catch (Exception e) {
      throw new IllegalStateException("S3Proxy did not restart on port " + port, e);
    }
  }

  @Override
  public synchronized void close() {
    client.close();
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("S3Proxy did not stop", e);
    }
  }

  /** The store with writes refused under chosen prefixes, as S3 refuses one object on a bad day. */
  private static final class FailingWrites extends ForwardingBlobStore {

    private final Set<String> failingPrefixes;

    FailingWrites(BlobStore delegate, Set<String> failingPrefixes) {
      super(delegate);
      this.failingPrefixes = failingPrefixes;
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream input) {
      refuse(request.key());
      return super.putBlob(request, input);
    }

    @Override
    public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
      refuse(request.key());
      return super.initiateMultipartUpload(request);
    }

    private void refuse(String key) {
      if (failingPrefixes.stream().anyMatch(key::startsWith)) {
        throw S3Exceptions.fromStatusCode(500);
      }
    }
  }

  private S3Proxy newProxy(int listenPort) {
    return S3Proxy.builder()
        .blobStore(store)
        .endpoint(URI.create("http://127.0.0.1:" + listenPort))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        // Stop at once: a test that takes the endpoint down wants connections refused now.
        .stopTimeout(0)
        .build();
  }
}
