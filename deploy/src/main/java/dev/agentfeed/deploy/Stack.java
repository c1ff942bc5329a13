package dev.agentfeed.deploy;

import dev.agentfeed.deploy.kafka.KafkaBroker;
import dev.agentfeed.deploy.kafka.PipelineTopics;
import dev.agentfeed.deploy.process.ChildJvm;
import dev.agentfeed.deploy.process.ChildProcess;
import dev.agentfeed.deploy.process.Ports;
import dev.agentfeed.deploy.s3.S3Endpoint;
import dev.agentfeed.deploy.service.ServiceModule;
import dev.agentfeed.deploy.service.ServiceProcess;
import dev.agentfeed.model.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running local stack. Starts, in order: the Kafka broker (child JVM), the S3 endpoint
 * (in-process), the pipeline topics, then the services (child JVMs, started together and awaited
 * one by one). Stops the other way round but with the broker before S3: the services first, so that
 * none of them loses its broker mid-write, then the broker, then the S3 endpoint.
 *
 * <p>{@link #close()} may run on the shutdown hook's thread while {@link #start()} is still running
 * on the main thread; whatever start brings up after that is stopped at once.
 */
final class Stack implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Stack.class);
  private static final Duration BROKER_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration SERVICE_STOP_GRACE = Duration.ofSeconds(20);
  private static final int FAILURE_LOG_LINES = 25;

  private final StackSettings settings;
  private final Object lock = new Object();
  private final List<ServiceProcess> services = new ArrayList<>();
  private KafkaBroker broker;
  private S3Endpoint s3;
  private boolean closing;

  Stack(StackSettings settings) {
    this.settings = settings;
  }

  /**
   * What keeps the stack from starting, found before anything starts: missing jars, ports in use.
   * Empty when all is well.
   */
  static List<String> preflight(StackSettings settings) {
    List<String> problems = new ArrayList<>();
    for (ServiceModule module : settings.services()) {
      if (!Files.isRegularFile(module.jar(settings.repoDir(), settings.version()))) {
        problems.add(
            module.moduleName()
                + ": no runnable jar at "
                + module.jar(settings.repoDir(), settings.version())
                + " (build it with deploy/run-local.sh --build, or pass --repo-dir)");
      }
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put("Kafka (--kafka-port)", settings.kafkaPort());
    ports.put("the Kafka controller (--kafka-controller-port)", settings.controllerPort());
    ports.put("S3 (--s3-port)", settings.s3Port());
    for (ServiceModule module : settings.services()) {
      ports.put(
          module.moduleName() + " (" + LocalStack.portOption(module) + ")", settings.port(module));
    }
    ports.forEach(
        (what, port) -> {
          if (!Ports.isFree(port)) {
            problems.add(
                "port " + port + " for " + what + " is in use (another stack still running?)");
          }
        });
    return problems;
  }

  void start() throws InterruptedException {
    try {
      Files.createDirectories(settings.logsDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + settings.logsDir(), e);
    }
    ChildJvm jvm = ChildJvm.create(settings.runDir());
    startBroker(jvm);
    startS3();
    createTopics();
    startServices(jvm);
  }

  private void startBroker(ChildJvm jvm) throws InterruptedException {
    Instant begin = Instant.now();
    KafkaBroker started =
        KafkaBroker.start(
            new KafkaBroker.Settings(
                settings.kafkaHome(),
                settings.kafkaPort(),
                settings.controllerPort(),
                settings.logFile("kafka")),
            jvm,
            BROKER_TIMEOUT);
    synchronized (lock) {
      if (closing) {
        started.close();
        throw new StackStoppingException();
      }
      broker = started;
    }
    watchForUnexpectedExit(started.process());
    log.info(
        "{} started in {} on {}",
        column("kafka"),
        seconds(Duration.between(begin, Instant.now())),
        settings.bootstrapServers());
  }

  private void startS3() {
    Instant begin = Instant.now();
    S3Endpoint started =
        S3Endpoint.start(
            new S3Endpoint.Settings(
                settings.s3Root(),
                settings.s3Port(),
                settings.s3AccessKey(),
                settings.s3SecretKey(),
                settings.bucket()));
    synchronized (lock) {
      if (closing) {
        started.close();
        throw new StackStoppingException();
      }
      s3 = started;
    }
    log.info(
        "{} started in {} on {} (bucket {})",
        column("s3"),
        seconds(Duration.between(begin, Instant.now())),
        settings.s3Endpoint(),
        settings.bucket());
  }

  private void createTopics() throws InterruptedException {
    Topics topics = new Topics(settings.topicPrefix());
    List<String> created =
        PipelineTopics.createMissing(settings.bootstrapServers(), topics, settings.partitions());
    log.info(
        "{} {} of {} created ({} partitions each), the rest already existed",
        column("topics"),
        created.size(),
        topics.all().size(),
        settings.partitions());
  }

  private void startServices(ChildJvm jvm) throws InterruptedException {
    // Launched together (their JVMs warm up in parallel), awaited in start order.
    List<ServiceProcess> launched = new ArrayList<>();
    for (ServiceModule module : settings.services()) {
      ServiceProcess service =
          ServiceProcess.start(
              module,
              module.jar(settings.repoDir(), settings.version()),
              settings.port(module),
              settings.serviceJvmOptions(),
              ServiceArguments.of(module, settings),
              jvm,
              settings.logFile(module.moduleName()),
              settings.dataDir());
      synchronized (lock) {
        if (closing) {
          service.child().stop(SERVICE_STOP_GRACE);
          throw new StackStoppingException();
        }
        services.add(service);
      }
      launched.add(service);
    }
    for (ServiceProcess service : launched) {
      awaitStarted(service);
    }
  }

  private void awaitStarted(ServiceProcess service) throws InterruptedException {
    ServiceProcess.Startup startup = service.awaitStarted(settings.startTimeout());
    String name = service.module().moduleName();
    if (!startup.started() && isClosing()) {
      throw new StackStoppingException();
    }
    if (!startup.started()) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "%s FAILED: %s; see %s. Its last lines:%n%s",
              name,
              startup.detail(),
              service.child().logFile(),
              String.join(
                  System.lineSeparator(), service.child().lastLogLines(FAILURE_LOG_LINES))));
    }
    watchForUnexpectedExit(service.child());
    log.info(
        "{} started in {} on http://localhost:{}{}",
        column(name),
        seconds(startup.took()),
        service.port(),
        startup.detail().isEmpty() ? "" : " " + startup.detail());
  }

  private void watchForUnexpectedExit(ChildProcess child) {
    child.onExit(
        () -> {
          if (!isClosing()) {
            log.error(
                "{} stopped unexpectedly (exit code {}); see {}",
                child.name(),
                child.exitCode(),
                child.logFile());
          }
        });
  }

  private boolean isClosing() {
    synchronized (lock) {
      return closing;
    }
  }

  /** Stops the services, then the broker, then the S3 endpoint; the data stays. Idempotent. */
  @Override
  public void close() {
    List<ServiceProcess> runningServices;
    KafkaBroker runningBroker;
    S3Endpoint runningS3;
    synchronized (lock) {
      if (closing) {
        return;
      }
      closing = true;
      runningServices = List.copyOf(services);
      runningBroker = broker;
      runningS3 = s3;
    }
    if (!runningServices.isEmpty()) {
      log.info("stopping the services");
      runningServices.forEach(service -> service.child().requestStop());
      // One grace period for all of them: they stop in parallel.
      Instant deadline = Instant.now().plus(SERVICE_STOP_GRACE);
      runningServices.forEach(service -> service.child().awaitStopped(remaining(deadline)));
    }
    if (runningBroker != null) {
      log.info("stopping Kafka");
      runningBroker.close();
    }
    if (runningS3 != null) {
      log.info("stopping the S3 endpoint");
      runningS3.close();
    }
    log.info("stopped; the data stays in {}", settings.dataDir());
  }

  private static Duration remaining(Instant deadline) {
    Duration left = Duration.between(Instant.now(), deadline);
    return left.isNegative() ? Duration.ZERO : left;
  }

  private static String column(String name) {
    return String.format(Locale.ROOT, "%-17s", name);
  }

  private static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
  }

  /** Start was interrupted by a stop (Ctrl-C while starting). */
  static final class StackStoppingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StackStoppingException() {
      super("the stack is stopping");
    }
  }
}
