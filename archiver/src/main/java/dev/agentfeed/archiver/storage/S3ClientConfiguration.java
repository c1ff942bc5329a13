package dev.agentfeed.archiver.storage;

import dev.agentfeed.archiver.ArchiverProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 client and the replay store on it, from {@code agentfeed.archiver.s3.*}. */
@Configuration(proxyBeanMethods = false)
class S3ClientConfiguration {

  @Bean(destroyMethod = "close")
  S3Client archiverS3Client(ArchiverProperties properties) {
    return S3Clients.create(properties.s3());
  }

  @Bean
  ReplayStore replayStore(S3Client archiverS3Client, ArchiverProperties properties) {
    return new ReplayStore(
        archiverS3Client,
        properties.s3().bucket(),
        properties.segments().multipartThreshold().toBytes(),
        properties.segments().multipartPartSize().toBytes());
  }
}
