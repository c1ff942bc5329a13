package dev.agentfeed.deploy.service;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The four services of the pipeline, in the order the stack starts them, with their default HTTP
 * ports and where a build of the repository leaves their runnable jars.
 */
public enum ServiceModule {
  INGEST("ingest-service", 8081),
  STREAM_PROCESSOR("stream-processor", 8082),
  GATEWAY("gateway-service", 8080),
  ARCHIVER("archiver", 8083);

  private final String moduleName;
  private final int defaultPort;

  ServiceModule(String moduleName, int defaultPort) {
    this.moduleName = moduleName;
    this.defaultPort = defaultPort;
  }

  /**
   * Whether a {@code 200} health body of this service means it can take work. The stream processor
   * reports itself UP while its first rebalance still runs (a rebalance is healthy, not an outage);
   * events sent then wait for it, so the stack waits until Kafka Streams is {@code RUNNING}.
   */
  public boolean isReady(String healthBody) {
    boolean up = healthBody.contains("\"UP\"");
    return this == STREAM_PROCESSOR ? up && healthBody.contains("\"state\":\"RUNNING\"") : up;
  }

  /** The Maven module (and artifact id), e.g. {@code ingest-service}. */
  public String moduleName() {
    return moduleName;
  }

  public int defaultPort() {
    return defaultPort;
  }

  /** {@code <repo>/<module>/target/<module>-<version>-exec.jar}. */
  public Path jar(Path repoDir, String version) {
    return repoDir
        .resolve(moduleName)
        .resolve("target")
        .resolve(moduleName + "-" + version + "-exec.jar");
  }

  public static Optional<ServiceModule> fromModuleName(String name) {
    return Arrays.stream(values()).filter(m -> m.moduleName.equals(name)).findFirst();
  }
}
