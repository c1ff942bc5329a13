package dev.agentfeed.e2e;

import dev.agentfeed.archiver.ArchiverApplication;
import dev.agentfeed.archiver.testing.InProcessS3;
import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.gateway.GatewayApplication;
import dev.agentfeed.ingest.IngestApplication;
import dev.agentfeed.processor.StreamProcessorApplication;
import dev.agentfeed.testing.KafkaTestBroker;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.util.FileSystemUtils;

/**
 * The whole pipeline in this JVM: a real single-node KRaft broker, a real S3 endpoint (S3Proxy) and
 * the four Spring Boot services, each started the way its own main class starts it, on free ports.
 * Closing stops them in reverse order.
 */
public final class RunningPipeline implements AutoCloseable {

  public static final String SECRET = "e2e-secret-that-is-long-enough-for-hs256-0123";
  public static final String BUCKET = "agentfeed-replays";

  private final EmbeddedKafkaBroker kafka;
  private final InProcessS3 s3;
  private final Path stateDir;
  private final List<ConfigurableApplicationContext> services = new ArrayList<>();
  private final ConfigurableApplicationContext ingest;
  private ConfigurableApplicationContext gateway;
  private ConfigurableApplicationContext archiver;
  private final TokenMinter tokens = new TokenMinter(SECRET, Clock.systemUTC());

  public RunningPipeline() throws IOException {
    this(new String[0]);
  }

  /** With extra arguments for ingest, e.g. a higher rate limit for a test that sends a lot. */
  public RunningPipeline(String... ingestArguments) throws IOException {
    kafka = KafkaTestBroker.start(3);
    s3 = InProcessS3.start();
    stateDir = Files.createTempDirectory("agentfeed-e2e-state");
    start(StreamProcessorApplication.application(), "--spring.kafka.streams.state-dir=" + stateDir);
    ingest = start(IngestApplication.application(), ingestArguments);
    gateway = start(GatewayApplication.application());
    archiver =
        start(
            ArchiverApplication.application(),
            Stream.concat(
                    s3.archiverArguments(BUCKET).stream(),
                    Stream.of(
                        "--agentfeed.archiver.idle-timeout=PT1M",
                        // The dashboard page (served by the gateway) reads replays from here.
                        "--agentfeed.archiver.cors.allowed-origins=" + gatewayUri("")))
                .toArray(String[]::new));
  }

  private ConfigurableApplicationContext start(SpringApplication application, String... extra) {
    List<String> args = new ArrayList<>();
    if (Stream.of(extra).noneMatch(arg -> arg.startsWith("--server.port="))) {
      args.add("--server.port=0");
    }
    args.add("--spring.kafka.bootstrap-servers=" + kafka.getBrokersAsString());
    args.add("--agentfeed.security.jwt.secret=" + SECRET);
    args.add("--agentfeed.topics.partitions=3");
    args.addAll(List.of(extra));
    ConfigurableApplicationContext context = application.run(args.toArray(String[]::new));
    services.add(context);
    return context;
  }

  public URI gatewayWebSocket() {
    return URI.create("ws://localhost:" + port(gateway) + "/v1/stream");
  }

  /** A gateway URL, e.g. {@code gatewayUri("/")} for the dashboard page. */
  public URI gatewayUri(String path) {
    return URI.create("http://localhost:" + port(gateway) + path);
  }

  public URI archiverUri(String path) {
    return URI.create("http://localhost:" + port(archiver) + path);
  }

  /**
   * Stops the gateway and starts a new one on the same port, as a deployment would: connected
   * dashboards lose their socket and must resume.
   */
  public void restartGateway() {
    int port = port(gateway);
    int index = services.indexOf(gateway);
    gateway.close();
    services.remove(index);
    gateway = start(GatewayApplication.application(), "--server.port=" + port);
    services.remove(gateway);
    services.add(index, gateway);
  }

  public String token(String org, Scope scope) {
    return tokens.mint(org, List.of(scope), null, Duration.ofMinutes(30));
  }

  public String token(String org, List<Scope> scopes) {
    return tokens.mint(org, scopes, null, Duration.ofMinutes(30));
  }

  public URI ingestUri(String path) {
    return URI.create("http://localhost:" + port(ingest) + path);
  }

  /** The broker's bootstrap servers, for tests that read the topics themselves. */
  public String kafkaBootstrap() {
    return kafka.getBrokersAsString();
  }

  InProcessS3 s3() {
    return s3;
  }

  private static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
  }

  @Override
  public void close() {
    for (int i = services.size() - 1; i >= 0; i--) {
      services.get(i).close();
    }
    s3.close();
    kafka.destroy();
    FileSystemUtils.deleteRecursively(stateDir.toFile());
  }
}
