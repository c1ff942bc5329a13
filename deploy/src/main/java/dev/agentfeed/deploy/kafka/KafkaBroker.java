package dev.agentfeed.deploy.kafka;

import dev.agentfeed.deploy.process.ChildJvm;
import dev.agentfeed.deploy.process.ChildProcess;
import dev.agentfeed.deploy.process.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft broker and controller in one process) run as a child JVM from the
 * Kafka jars on the launcher's own classpath. Its files live under one directory: {@code
 * server.properties} and {@code log4j2.xml} (rewritten on every start so that flags apply), and
 * {@code data/} (the logs and the metadata log; formatted once, on first start, with a fresh
 * cluster id). It listens on {@code localhost} only.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
  private static final String STORAGE_TOOL = "kafka.tools.StorageTool";
  private static final String KAFKA_MAIN = "kafka.Kafka";
  private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final List<String> JVM_OPTIONS =
      List.of("-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true");

  private final Settings settings;
  private final ChildProcess process;

  /**
   * Where and how the broker runs.
   *
   * @param home the broker's directory (configuration and data)
   * @param port the client listener, {@code localhost:port}
   * @param controllerPort the KRaft controller listener
   * @param logFile where the broker's output goes
   */
  public record Settings(Path home, int port, int controllerPort, Path logFile) {

    public Path dataDir() {
      return home.resolve("data");
    }

    public String bootstrapServers() {
      return "localhost:" + port;
    }
  }

  private KafkaBroker(Settings settings, ChildProcess process) {
    this.settings = settings;
    this.process = process;
  }

  /**
   * Formats the storage if it has never been formatted, starts the broker and returns once it
   * answers an admin request.
   */
  public static KafkaBroker start(Settings settings, ChildJvm jvm, Duration timeout)
      throws InterruptedException {
    Path properties = settings.home().resolve("server.properties");
    Path log4j = settings.home().resolve("log4j2.xml");
    writeConfiguration(settings, properties, log4j);
    List<String> jvmOptions = jvmOptions(log4j);
    if (!isFormatted(settings)) {
      format(settings, jvm, jvmOptions, properties);
    }
    ChildProcess process =
        ChildProcess.start(
            "kafka",
            jvm.ownClass(KAFKA_MAIN, jvmOptions, List.of(properties.toString())),
            settings.logFile());
    KafkaBroker broker = new KafkaBroker(settings, process);
    try {
      broker.awaitReady(timeout);
    } catch (RuntimeException | InterruptedException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  public String bootstrapServers() {
    return settings.bootstrapServers();
  }

  public Settings settings() {
    return settings;
  }

  public ChildProcess process() {
    return process;
  }

  /** Stops the broker cleanly (controlled shutdown), killing it if that takes too long. */
  @Override
  public void close() {
    process.stop(STOP_GRACE);
  }

  private static boolean isFormatted(Settings settings) {
    return Files.exists(settings.dataDir().resolve("meta.properties"));
  }

  private static void format(
      Settings settings, ChildJvm jvm, List<String> jvmOptions, Path properties)
      throws InterruptedException {
    String clusterId = Uuid.randomUuid().toString();
    log.info("formatting new Kafka storage in {} (cluster id {})", settings.dataDir(), clusterId);
    List<String> args =
        List.of(
            "format", "--standalone", "--cluster-id", clusterId, "--config", properties.toString());
    ChildProcess storageTool =
        ChildProcess.start(
            "kafka-storage-format",
            jvm.ownClass(STORAGE_TOOL, jvmOptions, args),
            settings.home().resolve("format.log"));
    int exitCode = storageTool.awaitExit(FORMAT_TIMEOUT);
    if (exitCode != 0) {
      throw new IllegalStateException(
          "formatting the Kafka storage failed (exit code "
              + exitCode
              + "); see "
              + storageTool.logFile()
              + ":\n"
              + String.join("\n", storageTool.lastLogLines(20)));
    }
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    // A TCP probe first: an admin client pointed at a closed port logs a warning per attempt.
    if (!Ports.awaitListening("localhost", settings.port(), process, timeout)) {
      throw notReady(timeout);
    }
    try (Admin admin = Admin.create(adminConfig())) {
      while (Instant.now().isBefore(deadline) && process.isAlive()) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException | KafkaException e) {
          log.debug("Kafka at {} not ready yet: {}", bootstrapServers(), e.getMessage());
        }
        Thread.sleep(200);
      }
    }
    throw notReady(timeout);
  }

  private IllegalStateException notReady(Duration timeout) {
    String why =
        process.isAlive()
            ? "did not answer within " + timeout.toSeconds() + " s"
            : "exited with code " + process.exitCode();
    return new IllegalStateException(
        "Kafka on "
            + bootstrapServers()
            + " "
            + why
            + "; see "
            + process.logFile()
            + ":\n"
            + String.join("\n", process.lastLogLines(20)));
  }

  private Map<String, Object> adminConfig() {
    return Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
  }

  private static List<String> jvmOptions(Path log4j) {
    return Stream.concat(
            JVM_OPTIONS.stream(), Stream.of("-Dlog4j2.configurationFile=" + log4j.toUri()))
        .toList();
  }

  private static void writeConfiguration(Settings settings, Path properties, Path log4j) {
    try {
      Files.createDirectories(settings.dataDir());
      Files.writeString(properties, serverProperties(settings), StandardCharsets.UTF_8);
      Files.writeString(log4j, LOG4J2_XML, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the Kafka configuration to " + settings.home(), e);
    }
  }

  /**
   * A combined broker and controller; the controller quorum is this node alone ({@code format
   * --standalone} records it as the only voter). Internal topics get one replica, and consumer
   * groups start without the usual 3 s wait for more members.
   */
  static String serverProperties(Settings settings) {
    String dataDir = settings.dataDir().toAbsolutePath().toString();
    return String.join(
            "\n",
            "# Written by the agentfeed local stack on every start; edits are overwritten.",
            "process.roles=broker,controller",
            "node.id=1",
            "listeners=PLAINTEXT://localhost:"
                + settings.port()
                + ",CONTROLLER://localhost:"
                + settings.controllerPort(),
            "advertised.listeners=PLAINTEXT://localhost:"
                + settings.port()
                + ",CONTROLLER://localhost:"
                + settings.controllerPort(),
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=PLAINTEXT",
            "controller.listener.names=CONTROLLER",
            "controller.quorum.bootstrap.servers=localhost:" + settings.controllerPort(),
            "log.dirs=" + dataDir,
            "metadata.log.dir=" + dataDir,
            "num.partitions=6",
            "default.replication.factor=1",
            "min.insync.replicas=1",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            // A laptop's disk, not a server's: keep a week, cap each partition at 1 GiB.
            "log.retention.hours=168",
            "log.retention.bytes=1073741824",
            "")
        // A properties file reads a backslash as an escape; Windows paths need it doubled.
        .replace("\\", "\\\\");
  }

  /** Quiet: warnings, errors and the one line that says the server started. */
  private static final String LOG4J2_XML =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <!-- Written by the agentfeed local stack on every start; edits are overwritten. -->
      <Configuration status="warn">
        <Appenders>
          <Console name="stdout" target="SYSTEM_OUT">
            <PatternLayout pattern="%d{ISO8601} %-5level [%c{1}] %msg%n%throwable"/>
          </Console>
        </Appenders>
        <Loggers>
          <Root level="warn">
            <AppenderRef ref="stdout"/>
          </Root>
          <Logger name="kafka.server.KafkaRaftServer" level="info"/>
        </Loggers>
      </Configuration>
      """;
}
