package dev.agentfeed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.deploy.service.ServiceModule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The properties each service is started with, from the launcher's own option parsing. */
class ServiceArgumentsTest {

  private static final String DEV_SECRET = "dev-only-agentfeed-jwt-secret-0123456789abcdef";
  private static final Path DATA = Path.of("/srv/agentfeed-data");

  @Test
  void shouldPointTheArchiverAtTheBrokerAndTheLocalS3() {
    StackSettings settings = parse("--data-dir", DATA.toString());

    assertThat(ServiceArguments.of(ServiceModule.ARCHIVER, settings))
        .containsExactly(
            "--server.port=8083",
            "--spring.kafka.bootstrap-servers=localhost:9092",
            "--agentfeed.topics.prefix=agentfeed.",
            "--agentfeed.topics.partitions=6",
            "--agentfeed.security.jwt.secret=" + DEV_SECRET,
            "--agentfeed.security.jwt.allow-development-secret=true",
            "--agentfeed.archiver.s3.endpoint=http://localhost:9000",
            "--agentfeed.archiver.s3.access-key=agentfeed",
            "--agentfeed.archiver.s3.secret-key=agentfeed-secret",
            "--agentfeed.archiver.s3.bucket=agentfeed-replays",
            "--agentfeed.archiver.cors.allowed-origins=http://localhost:8080,http://127.0.0.1:8080");
  }

  @Test
  void shouldLetTheDashboardOnTheGatewayPortReadReplays() {
    StackSettings settings = parse("--gateway-port", "18080");

    assertThat(ServiceArguments.of(ServiceModule.ARCHIVER, settings))
        .filteredOn(arg -> arg.startsWith("--agentfeed.archiver.cors."))
        .containsExactly(
            "--agentfeed.archiver.cors.allowed-origins=http://localhost:18080,http://127.0.0.1:18080");
  }

  @Test
  void shouldAllowNoBrowserOriginWhenNoGatewayRuns() {
    StackSettings settings = parse("--services", "ingest-service,stream-processor,archiver");

    assertThat(ServiceArguments.of(ServiceModule.ARCHIVER, settings))
        .noneMatch(arg -> arg.startsWith("--agentfeed.archiver.cors."));
  }

  @Test
  void shouldKeepTheProcessorStateUnderTheDataDir() {
    StackSettings settings = parse("--data-dir", DATA.toString(), "--processor-port", "18082");

    assertThat(ServiceArguments.of(ServiceModule.STREAM_PROCESSOR, settings))
        .containsExactly(
            "--server.port=18082",
            "--spring.kafka.bootstrap-servers=localhost:9092",
            "--agentfeed.topics.prefix=agentfeed.",
            "--agentfeed.topics.partitions=6",
            "--agentfeed.security.jwt.secret=" + DEV_SECRET,
            "--agentfeed.security.jwt.allow-development-secret=true",
            "--spring.kafka.streams.state-dir=" + DATA.resolve("stream-processor"));
  }

  @Test
  void shouldNotAllowTheDevelopmentSecretWhenAnotherSecretIsConfigured() {
    StackSettings settings =
        parse(
            "--jwt-secret", "another-secret-of-at-least-32-bytes-long",
            "--kafka-port", "19092",
            "--topic-prefix", "dev.");

    assertThat(ServiceArguments.of(ServiceModule.INGEST, settings))
        .containsExactly(
            "--server.port=8081",
            "--spring.kafka.bootstrap-servers=localhost:19092",
            "--agentfeed.topics.prefix=dev.",
            "--agentfeed.topics.partitions=6",
            "--agentfeed.security.jwt.secret=another-secret-of-at-least-32-bytes-long");
  }

  @Test
  void shouldReplaceTheStackValueWithAServiceArgForTheSameProperty() {
    StackSettings settings =
        parse(
            "--service-arg", "gateway-service:--agentfeed.topics.partitions=12",
            "--service-arg", "gateway-service:--logging.level.dev.agentfeed=DEBUG",
            "--service-arg", "ingest-service:--server.port=9999");

    assertThat(ServiceArguments.of(ServiceModule.GATEWAY, settings))
        .containsExactly(
            "--server.port=8080",
            "--spring.kafka.bootstrap-servers=localhost:9092",
            "--agentfeed.topics.prefix=agentfeed.",
            "--agentfeed.security.jwt.secret=" + DEV_SECRET,
            "--agentfeed.security.jwt.allow-development-secret=true",
            "--agentfeed.topics.partitions=12",
            "--logging.level.dev.agentfeed=DEBUG");
  }

  static StackSettings parse(String... args) {
    CommandLine commandLine = LocalStack.commandLine();
    commandLine.parseArgs(args);
    return commandLine.<LocalStack>getCommand().settings();
  }
}
