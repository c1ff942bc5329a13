package dev.agentfeed.archiver.storage;

import dev.agentfeed.archiver.ArchiverProperties;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Builds the archiver's S3 client from {@code agentfeed.archiver.s3.*}: AWS S3 by default, any
 * S3-compatible store with an endpoint (path-style then, unless told otherwise); static keys when
 * configured, else the SDK's default credentials chain (environment, profile, instance or pod
 * role). The HTTP client is the JDK's {@code URLConnection} (with its keep-alive cache): uploads
 * run on a few threads ({@code upload-concurrency}), so a connection pool of its own would not earn
 * its dependencies.
 */
public final class S3Clients {

  private S3Clients() {}

  public static S3Client create(ArchiverProperties.S3 s3) {
    S3ClientBuilder builder =
        S3Client.builder()
            .region(Region.of(s3.region()))
            .forcePathStyle(s3.pathStyle())
            .credentialsProvider(credentials(s3))
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(s3.requestTimeout())
                    .socketTimeout(s3.requestTimeout())
                    .build())
            .overrideConfiguration(
                o ->
                    o.apiCallTimeout(s3.requestTimeout())
                        .addExecutionInterceptor(new NoExpectContinue()));
    if (s3.endpoint() != null) {
      builder.endpointOverride(s3.endpoint());
    }
    return builder.build();
  }

  /**
   * Signs GET URLs for the same endpoint, region, addressing style and credentials as {@link
   * #create}, so a URL handed to an auditor reaches the object the archiver wrote.
   */
  public static S3Presigner presigner(ArchiverProperties.S3 s3) {
    S3Presigner.Builder builder =
        S3Presigner.builder()
            .region(Region.of(s3.region()))
            .credentialsProvider(credentials(s3))
            .serviceConfiguration(
                S3Configuration.builder().pathStyleAccessEnabled(s3.pathStyle()).build());
    if (s3.endpoint() != null) {
      builder.endpointOverride(s3.endpoint());
    }
    return builder.build();
  }

  private static AwsCredentialsProvider credentials(ArchiverProperties.S3 s3) {
    if (s3.hasStaticCredentials()) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(s3.accessKey(), s3.secretKey()));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  /**
   * Sends uploads without {@code Expect: 100-continue}. With it, the URLConnection client reports a
   * kept-alive connection the server has since closed as an {@code UncheckedIOException} from
   * outside the SDK's retry handling; without it the failure is an ordinary retried I/O error. The
   * objects are small, so waiting for "100 Continue" would save nothing.
   */
  private static final class NoExpectContinue implements ExecutionInterceptor {

    @Override
    public SdkHttpRequest modifyHttpRequest(
        Context.ModifyHttpRequest context, ExecutionAttributes executionAttributes) {
      return context.httpRequest().toBuilder().removeHeader("Expect").build();
    }
  }
}
