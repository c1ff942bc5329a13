package dev.agentfeed.deploy;

import static java.util.stream.Collectors.toSet;

import dev.agentfeed.deploy.service.ServiceModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Spring Boot command-line properties that point a service at the local stack: the broker, the
 * token secret, the topics, its port, and what only one service needs (the processor's state
 * directory, the archiver's S3 endpoint and the dashboard's origin for CORS). These are exactly the
 * properties to set when a service runs on its own against another Kafka and S3 (see
 * deploy/README.md).
 */
final class ServiceArguments {

  private ServiceArguments() {}

  static List<String> of(ServiceModule module, StackSettings settings) {
    List<String> args = new ArrayList<>();
    args.add("--server.port=" + settings.port(module));
    args.add("--spring.kafka.bootstrap-servers=" + settings.bootstrapServers());
    args.add("--agentfeed.topics.prefix=" + settings.topicPrefix());
    args.add("--agentfeed.topics.partitions=" + settings.partitions());
    args.add("--agentfeed.security.jwt.secret=" + settings.jwtSecret());
    if (settings.usesDevelopmentSecret()) {
      args.add("--agentfeed.security.jwt.allow-development-secret=true");
    }
    switch (module) {
      case STREAM_PROCESSOR ->
          args.add("--spring.kafka.streams.state-dir=" + settings.processorStateDir());
      case ARCHIVER -> {
        args.add("--agentfeed.archiver.s3.endpoint=" + settings.s3Endpoint());
        args.add("--agentfeed.archiver.s3.access-key=" + settings.s3AccessKey());
        args.add("--agentfeed.archiver.s3.secret-key=" + settings.s3SecretKey());
        args.add("--agentfeed.archiver.s3.bucket=" + settings.bucket());
        if (settings.services().contains(ServiceModule.GATEWAY)) {
          // The dashboard page, served by the gateway, reads replays from the archiver.
          args.add(
              "--agentfeed.archiver.cors.allowed-origins="
                  + dashboardOrigins(settings.port(ServiceModule.GATEWAY)));
        }
      }
      default -> {
        // ingest and gateway need nothing beyond the common settings
      }
    }
    List<String> overrides = settings.serviceArgs().getOrDefault(module, List.of());
    // Spring joins repeated command-line properties with commas instead of taking the last, so a
    // user's --service-arg replaces the stack's value of the same property rather than adding one.
    Set<String> overridden =
        overrides.stream().map(ServiceArguments::propertyName).collect(toSet());
    List<String> result = new ArrayList<>();
    args.stream().filter(arg -> !overridden.contains(propertyName(arg))).forEach(result::add);
    result.addAll(overrides);
    return result;
  }

  /** The origins a browser shows the local dashboard under. */
  static String dashboardOrigins(int gatewayPort) {
    return "http://localhost:" + gatewayPort + ",http://127.0.0.1:" + gatewayPort;
  }

  /** {@code --server.port=8081} names {@code server.port}. */
  private static String propertyName(String arg) {
    int equals = arg.indexOf('=');
    String name = equals < 0 ? arg : arg.substring(0, equals);
    return name.startsWith("--") ? name.substring(2) : name;
  }
}
