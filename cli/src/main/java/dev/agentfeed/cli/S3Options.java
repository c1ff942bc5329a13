package dev.agentfeed.cli;

import dev.agentfeed.archiver.replay.ReplayCatalog;
import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.ReplayVerifier;
import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.model.EventCodec;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Where the replays are, shared by every command. Defaults are the local stack's; each can also
 * come from an environment variable, so a shell can point the CLI at production once.
 */
final class S3Options {

  @Option(
      names = "--endpoint",
      defaultValue = "${env:AGENTFEED_S3_ENDPOINT:-http://localhost:9000}",
      description =
          "S3 endpoint; 'aws' for AWS S3 itself (env AGENTFEED_S3_ENDPOINT, default: ${DEFAULT-VALUE})")
  String endpoint;

  @Option(
      names = "--region",
      defaultValue = "${env:AGENTFEED_S3_REGION:-us-east-1}",
      description = "Signing region (default: ${DEFAULT-VALUE})")
  String region;

  @Option(
      names = "--bucket",
      defaultValue = "${env:AGENTFEED_S3_BUCKET:-agentfeed-replays}",
      description = "Replay bucket (default: ${DEFAULT-VALUE})")
  String bucket;

  @Option(
      names = "--access-key",
      defaultValue = "${env:AGENTFEED_S3_ACCESS_KEY:-agentfeed}",
      description =
          "Access key; empty for the AWS default credentials chain (default: ${DEFAULT-VALUE})")
  String accessKey;

  @Option(
      names = "--secret-key",
      defaultValue = "${env:AGENTFEED_S3_SECRET_KEY:-agentfeed-secret}",
      description = "Secret key (env AGENTFEED_S3_SECRET_KEY)",
      arity = "1")
  String secretKey;

  @Option(
      names = "--path-style",
      negatable = true,
      description =
          "Bucket in the path rather than the host name (default: on with an endpoint, off for"
              + " 'aws')")
  Boolean pathStyle;

  @Option(
      names = "--org",
      defaultValue = "${env:AGENTFEED_ORG:-demo}",
      description = "Organisation (default: ${DEFAULT-VALUE})")
  String org;

  /** The S3 client and the archive readers on it; close it when done. */
  Archive open() {
    S3ClientBuilder builder =
        S3Client.builder()
            .region(Region.of(region))
            .forcePathStyle(pathStyle != null ? pathStyle : !isAws())
            .credentialsProvider(credentials())
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofSeconds(60))
                    .build());
    if (!isAws()) {
      builder.endpointOverride(URI.create(endpoint));
    }
    S3Client s3 = builder.build();
    EventCodec events = new EventCodec();
    ReplayCodec codec = new ReplayCodec(events.mapper());
    ReplayStore store = new ReplayStore(s3, bucket);
    return new Archive(
        s3, new ReplayCatalog(store, codec), new ReplayVerifier(store, codec, events.mapper()));
  }

  private boolean isAws() {
    return "aws".equals(endpoint);
  }

  private AwsCredentialsProvider credentials() {
    if (accessKey == null || accessKey.isBlank()) {
      return DefaultCredentialsProvider.builder().build();
    }
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
  }

  /** An open S3 client with the catalog and verifier reading through it. */
  record Archive(S3Client s3, ReplayCatalog catalog, ReplayVerifier verifier)
      implements AutoCloseable {

    @Override
    public void close() {
      s3.close();
    }
  }
}
