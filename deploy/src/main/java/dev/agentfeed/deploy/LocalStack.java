package dev.agentfeed.deploy;

import dev.agentfeed.common.security.JwtProperties;
import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.deploy.demo.DemoSession;
import dev.agentfeed.deploy.service.ServiceModule;
import dev.agentfeed.model.Ids;
import dev.agentfeed.model.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The one-command local stack: a real single-node Kafka, an S3 endpoint on the local disk, the
 * pipeline topics and the four services, with dev tokens printed and, with {@code --demo}, a sample
 * session replayed through ingest. Everything lives under the data directory and survives a
 * restart; Ctrl-C stops it all, and no child process outlives the launcher.
 */
@Command(
    name = "local-stack",
    mixinStandardHelpOptions = true,
    versionProvider = LocalStack.BuildVersion.class,
    subcommands = TokenCommand.class,
    sortOptions = false,
    description = {
      "Runs agentfeed locally: Kafka, an S3 endpoint and the four services.",
      "Run from the repository root (or pass --repo-dir). Ctrl-C stops everything."
    })
public final class LocalStack implements Callable<Integer> {

  static final String DEFAULT_ORG = "demo";
  private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
  private static final Duration TOKEN_TTL = Duration.ofHours(24);

  @Spec CommandSpec spec;

  @Option(
      names = "--repo-dir",
      paramLabel = "DIR",
      defaultValue = ".",
      description =
          "The repository root; the services' jars are under it (default: ${DEFAULT-VALUE}).")
  Path repoDir;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "data",
      description =
          "Where the broker, S3, the processor's state and the logs live; kept across restarts"
              + " (default: ${DEFAULT-VALUE}, under the working directory).")
  Path dataDir;

  @Option(
      names = "--kafka-port",
      paramLabel = "PORT",
      defaultValue = "9092",
      description = "Kafka bootstrap port on localhost (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--kafka-controller-port",
      paramLabel = "PORT",
      defaultValue = "9093",
      description = "KRaft controller port on localhost (default: ${DEFAULT-VALUE}).")
  int controllerPort;

  @Option(
      names = "--s3-port",
      paramLabel = "PORT",
      defaultValue = "9000",
      description = "S3 endpoint port on localhost (default: ${DEFAULT-VALUE}).")
  int s3Port;

  @Option(
      names = "--gateway-port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "gateway-service: WebSocket (default: ${DEFAULT-VALUE}).")
  int gatewayPort;

  @Option(
      names = "--ingest-port",
      paramLabel = "PORT",
      defaultValue = "8081",
      description = "ingest-service: POST /v1/events (default: ${DEFAULT-VALUE}).")
  int ingestPort;

  @Option(
      names = "--processor-port",
      paramLabel = "PORT",
      defaultValue = "8082",
      description = "stream-processor: management/actuator (default: ${DEFAULT-VALUE}).")
  int processorPort;

  @Option(
      names = "--archiver-port",
      paramLabel = "PORT",
      defaultValue = "8083",
      description = "archiver: replay API (default: ${DEFAULT-VALUE}).")
  int archiverPort;

  @Option(
      names = "--services",
      split = ",",
      paramLabel = "MODULE",
      defaultValue = "ingest-service,stream-processor,gateway-service,archiver",
      converter = ServiceModuleConverter.class,
      description = "The services to run, comma-separated (default: all four).")
  List<ServiceModule> services;

  @Option(
      names = "--infra-only",
      description =
          "Run only Kafka, S3 and the topics (e.g. to run the services from an IDE against them).")
  boolean infraOnly;

  @Option(
      names = "--topic-prefix",
      paramLabel = "PREFIX",
      defaultValue = Topics.DEFAULT_PREFIX,
      description = "Prefix of every pipeline topic (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "6",
      description =
          "Partitions of each pipeline topic the stack creates (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--bucket",
      paramLabel = "NAME",
      defaultValue = "agentfeed-replays",
      description = "The replay bucket, created if missing (default: ${DEFAULT-VALUE}).")
  String bucket;

  @Option(
      names = "--s3-access-key",
      paramLabel = "KEY",
      defaultValue = "agentfeed",
      description = "S3 access key id (default: ${DEFAULT-VALUE}).")
  String s3AccessKey;

  @Option(
      names = "--s3-secret-key",
      paramLabel = "SECRET",
      defaultValue = "agentfeed-secret",
      description = "S3 secret key (default: ${DEFAULT-VALUE}).")
  String s3SecretKey;

  @Option(
      names = "--jwt-secret",
      paramLabel = "SECRET",
      defaultValue = "${env:AGENTFEED_JWT_SECRET:-" + JwtProperties.DEVELOPMENT_SECRET + "}",
      description =
          "HS256 secret the services verify tokens with (at least 32 bytes); default:"
              + " $AGENTFEED_JWT_SECRET, else the development secret.")
  String jwtSecret;

  @Option(
      names = "--org",
      paramLabel = "ORG",
      defaultValue = DEFAULT_ORG,
      description =
          "Org of the printed tokens and of the demo session (default: ${DEFAULT-VALUE}).")
  String org;

  @Option(
      names = "--service-jvm-options",
      paramLabel = "OPTIONS",
      defaultValue = "-Xmx512m",
      description = "JVM options of each service, space-separated (default: ${DEFAULT-VALUE}).")
  String serviceJvmOptions;

  @Option(
      names = "--service-arg",
      paramLabel = "MODULE:ARG",
      description =
          "An extra argument for one service, repeatable; it replaces the stack's value of the same"
              + " property. E.g. --service-arg gateway-service:--logging.level.dev.agentfeed=DEBUG")
  List<String> serviceArgs = new ArrayList<>();

  @Option(
      names = "--start-timeout",
      paramLabel = "DURATION",
      defaultValue = "180s",
      converter = DurationConverter.class,
      description = "How long each service may take to become healthy (default: ${DEFAULT-VALUE}).")
  Duration startTimeout;

  @Option(
      names = "--demo",
      description = "Once up, replay a sample agent session for the org through ingest.")
  boolean demo;

  @Option(
      names = "--demo-pace",
      paramLabel = "DURATION",
      defaultValue = "250ms",
      converter = DurationConverter.class,
      description = "Time between two demo events (default: ${DEFAULT-VALUE}).")
  Duration demoPace;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with the settings {@link #main} uses, for tests too. */
  static CommandLine commandLine() {
    return commandLine(Clock.systemUTC());
  }

  /** The command line, with tokens minted at {@code clock}'s time. */
  static CommandLine commandLine(Clock clock) {
    IFactory defaults = CommandLine.defaultFactory();
    IFactory factory =
        new IFactory() {
          @Override
          public <K> K create(Class<K> type) throws Exception {
            return type == TokenCommand.class
                ? type.cast(new TokenCommand(clock))
                : defaults.create(type);
          }
        };
    return new CommandLine(new LocalStack(), factory).setUsageHelpAutoWidth(true);
  }

  /** The option that sets a service's port, for messages. */
  static String portOption(ServiceModule module) {
    return switch (module) {
      case INGEST -> "--ingest-port";
      case STREAM_PROCESSOR -> "--processor-port";
      case GATEWAY -> "--gateway-port";
      case ARCHIVER -> "--archiver-port";
      default -> throw new IllegalArgumentException("no port option for " + module);
    };
  }

  @Override
  public Integer call() throws InterruptedException {
    StackSettings settings = settings();
    List<String> problems = Stack.preflight(settings);
    if (!problems.isEmpty()) {
      problems.forEach(problem -> log.error("{}", problem));
      log.error("nothing was started");
      return 2;
    }
    Stack stack = new Stack(settings);
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "local-stack-shutdown"));
    try {
      stack.start();
    } catch (Stack.StackStoppingException e) {
      return 1;
    } catch (RuntimeException e) {
      log.error("{}", e.getMessage());
      stack.close();
      return 1;
    }
    Banner.Tokens tokens = tokens(settings);
    PrintWriter out = spec.commandLine().getOut();
    Banner.print(out, settings, tokens, Path.of(""));
    if (demo) {
      replayDemo(settings, tokens.ingest(), out);
    }
    // Runs until Ctrl-C (or SIGTERM); the shutdown hook then stops the stack.
    new CountDownLatch(1).await();
    return 0;
  }

  StackSettings settings() {
    if (!Ids.isValid(org)) {
      throw new ParameterException(
          spec.commandLine(), "--org must match " + Ids.PATTERN_TEXT + ", was '" + org + "'");
    }
    List<ServiceModule> chosen =
        infraOnly ? List.of() : services.stream().distinct().sorted().toList();
    if (demo && !chosen.contains(ServiceModule.INGEST)) {
      throw new ParameterException(spec.commandLine(), "--demo needs ingest-service to run");
    }
    if (jwtSecret.getBytes(StandardCharsets.UTF_8).length < TokenCommand.MIN_SECRET_BYTES) {
      throw new ParameterException(
          spec.commandLine(),
          "--jwt-secret must be at least " + TokenCommand.MIN_SECRET_BYTES + " bytes for HS256");
    }
    if (partitions < 1) {
      throw new ParameterException(spec.commandLine(), "--partitions must be at least 1");
    }
    Map<ServiceModule, Integer> ports = new EnumMap<>(ServiceModule.class);
    ports.put(ServiceModule.GATEWAY, gatewayPort);
    ports.put(ServiceModule.INGEST, ingestPort);
    ports.put(ServiceModule.STREAM_PROCESSOR, processorPort);
    ports.put(ServiceModule.ARCHIVER, archiverPort);
    return new StackSettings(
        repoDir.toAbsolutePath().normalize(),
        dataDir.toAbsolutePath().normalize(),
        BuildVersion.version(),
        kafkaPort,
        controllerPort,
        s3Port,
        ports,
        chosen,
        topicPrefix,
        partitions,
        bucket,
        s3AccessKey,
        s3SecretKey,
        jwtSecret,
        org,
        Arrays.stream(serviceJvmOptions.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList(),
        parseServiceArgs(),
        startTimeout);
  }

  private Map<ServiceModule, List<String>> parseServiceArgs() {
    Map<ServiceModule, List<String>> byModule = new EnumMap<>(ServiceModule.class);
    for (String value : serviceArgs) {
      int colon = value.indexOf(':');
      ServiceModule module =
          colon < 0 ? null : ServiceModule.fromModuleName(value.substring(0, colon)).orElse(null);
      if (module == null) {
        throw new ParameterException(
            spec.commandLine(),
            "--service-arg must be MODULE:ARG with MODULE one of "
                + moduleNames()
                + ", was '"
                + value
                + "'");
      }
      byModule.computeIfAbsent(module, m -> new ArrayList<>()).add(value.substring(colon + 1));
    }
    return byModule;
  }

  private static Banner.Tokens tokens(StackSettings settings) {
    TokenMinter minter = new TokenMinter(settings.jwtSecret(), Clock.systemUTC());
    return new Banner.Tokens(
        minter.mint(settings.org(), List.of(Scope.INGEST), null, TOKEN_TTL),
        minter.mint(settings.org(), List.of(Scope.READ), null, TOKEN_TTL),
        minter.mint(settings.org(), List.of(Scope.AUDIT), null, TOKEN_TTL),
        minter.mint(settings.org(), List.of(Scope.READ, Scope.AUDIT), null, TOKEN_TTL));
  }

  private void replayDemo(StackSettings settings, String ingestToken, PrintWriter out)
      throws InterruptedException {
    DemoSession session = DemoSession.load(Clock.systemUTC());
    String sessionId = session.newSessionId();
    URI events =
        URI.create("http://localhost:" + settings.port(ServiceModule.INGEST) + "/v1/events");
    out.printf(
        "Demo: session %s of org %s, %d events through %s, one every %d ms.%n",
        sessionId, settings.org(), session.size(), events, demoPace.toMillis());
    if (settings.services().contains(ServiceModule.GATEWAY)) {
      out.printf(
          "Watch it in the dashboard (in the tab opened with the link above):%n"
              + "  http://localhost:%d/sessions/%s%n",
          settings.port(ServiceModule.GATEWAY), sessionId);
      out.printf("or with any WebSocket client (wscat via npx):%n");
      out.printf(
          "  npx -y wscat -c \"ws://localhost:%d/v1/stream?access_token=$READ\" -w 60 \\%n"
              + "    -x '{\"op\":\"subscribe\",\"id\":\"s1\",\"sessionId\":\"%s\","
              + "\"from\":\"beginning\"}'%n",
          settings.port(ServiceModule.GATEWAY), sessionId);
    }
    out.flush();
    DemoSession.Result result;
    try {
      result =
          session.replay(
              events,
              ingestToken,
              settings.org(),
              sessionId,
              demoPace,
              line -> {
                out.println("  " + line);
                out.flush();
              });
    } catch (IllegalStateException e) {
      log.error("the demo stopped: {}", e.getMessage());
      return;
    }
    out.printf(
        "Demo: %d events posted, %d accepted, %d duplicates, %d rejected.%n",
        result.posted(), result.accepted(), result.duplicates(), result.rejected().size());
    result.rejected().forEach(rejection -> out.println("  rejected " + rejection));
    if (settings.services().contains(ServiceModule.ARCHIVER)) {
      out.printf(
          "Its replay, once the archiver has written it: s3://%s/replays/org=%s/date=%s/session=%s/%n",
          settings.bucket(), settings.org(), LocalDate.now(ZoneOffset.UTC), sessionId);
    }
    out.flush();
  }

  private static String moduleNames() {
    return Arrays.stream(ServiceModule.values())
        .map(ServiceModule::moduleName)
        .collect(Collectors.joining(", "));
  }

  /** Reads a service as its module name, e.g. {@code ingest-service}. */
  static final class ServiceModuleConverter implements ITypeConverter<ServiceModule> {

    @Override
    public ServiceModule convert(String value) {
      return ServiceModule.fromModuleName(value.trim())
          .orElseThrow(
              () ->
                  new TypeConversionException(
                      "'" + value + "' is not a service; use " + moduleNames()));
    }
  }

  /** The version this launcher was built as; the services' jars of the same build are run. */
  static final class BuildVersion implements IVersionProvider {

    static String version() {
      Properties properties = new Properties();
      try (InputStream in = LocalStack.class.getResourceAsStream("build.properties")) {
        if (in == null) {
          throw new IllegalStateException("build.properties is missing from the launcher");
        }
        properties.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read build.properties", e);
      }
      return properties.getProperty("version");
    }

    @Override
    public String[] getVersion() {
      return new String[] {"agentfeed local stack " + version()};
    }
  }
}
