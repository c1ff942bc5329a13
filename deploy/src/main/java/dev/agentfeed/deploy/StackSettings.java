package dev.agentfeed.deploy;

import dev.agentfeed.common.security.JwtProperties;
import dev.agentfeed.deploy.service.ServiceModule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything the local stack is configured with, resolved from the command line, and where each
 * part keeps its files under the data directory.
 *
 * @param repoDir the repository root; the services' jars are under it
 * @param dataDir everything the stack writes (absolute)
 * @param version the version of the services' jars to run
 * @param kafkaPort the Kafka client port on localhost
 * @param controllerPort the KRaft controller port on localhost
 * @param s3Port the S3 endpoint's port on localhost
 * @param servicePorts the HTTP port of each service
 * @param services the services to run, in start order
 * @param topicPrefix the prefix of every pipeline topic
 * @param partitions the partitions of each pipeline topic created by the stack
 * @param bucket the replay bucket
 * @param s3AccessKey the S3 access key id
 * @param s3SecretKey the S3 secret key
 * @param jwtSecret the HS256 secret the services verify tokens with
 * @param org the org of the printed tokens and of the demo session
 * @param serviceJvmOptions JVM options of every service
 * @param serviceArgs extra command-line arguments per service
 * @param startTimeout how long a service may take to become healthy
 */
record StackSettings(
    Path repoDir,
    Path dataDir,
    String version,
    int kafkaPort,
    int controllerPort,
    int s3Port,
    Map<ServiceModule, Integer> servicePorts,
    List<ServiceModule> services,
    String topicPrefix,
    int partitions,
    String bucket,
    String s3AccessKey,
    String s3SecretKey,
    String jwtSecret,
    String org,
    List<String> serviceJvmOptions,
    Map<ServiceModule, List<String>> serviceArgs,
    Duration startTimeout) {

  Path logsDir() {
    return dataDir.resolve("logs");
  }

  Path kafkaHome() {
    return dataDir.resolve("kafka");
  }

  Path s3Root() {
    return dataDir.resolve("s3");
  }

  /** Kafka Streams state of the stream processor (its stores' local copies). */
  Path processorStateDir() {
    return dataDir.resolve(ServiceModule.STREAM_PROCESSOR.moduleName());
  }

  /** Files of the launcher itself (the watchdog agent). */
  Path runDir() {
    return dataDir.resolve("run");
  }

  Path logFile(String component) {
    return logsDir().resolve(component + ".log");
  }

  int port(ServiceModule module) {
    return servicePorts.getOrDefault(module, module.defaultPort());
  }

  String bootstrapServers() {
    return "localhost:" + kafkaPort;
  }

  String s3Endpoint() {
    return "http://localhost:" + s3Port;
  }

  boolean usesDevelopmentSecret() {
    return JwtProperties.DEVELOPMENT_SECRET.equals(jwtSecret);
  }
}
