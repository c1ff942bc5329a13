package dev.agentfeed.deploy.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3 HTTP endpoint in the launcher's JVM: S3Proxy with its filesystem store, so every bucket
 * is a directory under {@code root} and every object a file in it (which is also why the data
 * survives a restart). It checks AWS signatures (V2 or V4) against one access key and secret, and
 * listens on {@code localhost} only. Clients must use path-style addressing.
 */
public final class S3Endpoint implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(S3Endpoint.class);

  private final S3Proxy proxy;
  private final BlobStore store;
  private final URI endpoint;

  /**
   * How the endpoint runs.
   *
   * @param root the directory that holds the buckets
   * @param port the HTTP port on {@code localhost}
   * @param accessKey the access key id clients sign with
   * @param secretKey the secret key clients sign with
   * @param bucket the bucket created at start when missing
   */
  public record Settings(Path root, int port, String accessKey, String secretKey, String bucket) {

    public URI endpoint() {
      return URI.create("http://localhost:" + port);
    }

    @Override
    public String toString() {
      return "Settings[root=" + root + ", port=" + port + ", accessKey=" + accessKey + "]";
    }
  }

  private S3Endpoint(S3Proxy proxy, BlobStore store, URI endpoint) {
    this.proxy = proxy;
    this.store = store;
    this.endpoint = endpoint;
  }

  /** Starts the endpoint and creates the bucket if it does not exist yet. */
  public static S3Endpoint start(Settings settings) {
    try {
      Files.createDirectories(settings.root());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the S3 directory " + settings.root(), e);
    }
    BlobStore store = new FilesystemNio2BlobStore(settings.root().toAbsolutePath().toString());
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store)
            // The loopback address, not localhost's first resolution: never reachable from outside.
            .endpoint(URI.create("http://127.0.0.1:" + settings.port()))
            .awsAuthentication(
                AuthenticationType.AWS_V2_OR_V4, settings.accessKey(), settings.secretKey())
            .build();
    try {
      proxy.start();
    } catch (Exception e) {
      stopQuietly(proxy);
      throw new IllegalStateException(
          "cannot start the S3 endpoint on port " + settings.port() + ": " + e.getMessage(), e);
    }
    S3Endpoint endpoint = new S3Endpoint(proxy, store, settings.endpoint());
    if (!store.containerExists(settings.bucket())) {
      store.createContainer(settings.bucket());
      log.info("created bucket {} in {}", settings.bucket(), settings.root());
    }
    return endpoint;
  }

  /** {@code http://localhost:<port>}. */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    stopQuietly(proxy);
    store.close();
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception e) {
      log.warn("stopping the S3 endpoint failed", e);
    }
  }
}
