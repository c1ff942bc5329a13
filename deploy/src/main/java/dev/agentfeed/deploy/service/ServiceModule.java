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
