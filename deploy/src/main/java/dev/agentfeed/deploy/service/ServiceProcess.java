package dev.agentfeed.deploy.service;

import dev.agentfeed.deploy.process.ChildJvm;
import dev.agentfeed.deploy.process.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One service of the stack as a child JVM ({@code java -jar <module>-<version>-exec.jar}), and the
 * wait until it reports healthy on {@code /actuator/health}.
 */
public final class ServiceProcess {

  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

  private final ServiceModule module;
  private final int port;
  private final ChildProcess child;
  private final Instant startedAt;
  private final HttpClient http;

  /** The outcome of waiting for a service to come up. */
  public record Startup(boolean started, Duration took, String detail) {}

  private ServiceProcess(ServiceModule module, int port, ChildProcess child) {
    this.module = module;
    this.port = port;
    this.child = child;
    this.startedAt = Instant.now();
    this.http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
  }

  /**
   * Starts the service's jar with {@code args} (Spring Boot command-line properties); output goes
   * to {@code logFile}, the working directory is {@code workDir}.
   */
  public static ServiceProcess start(
      ServiceModule module,
      Path jar,
      int port,
      List<String> jvmOptions,
      List<String> args,
      ChildJvm jvm,
      Path logFile,
      Path workDir) {
    ProcessBuilder builder = jvm.jar(jar, jvmOptions, args).directory(workDir.toFile());
    return new ServiceProcess(
        module, port, ChildProcess.start(module.moduleName(), builder, logFile));
  }

  public ServiceModule module() {
    return module;
  }

  public int port() {
    return port;
  }

  public ChildProcess child() {
    return child;
  }

  /**
   * Polls the health endpoint until the service is ready ({@link ServiceModule#isReady}), the
   * process ends, or {@code timeout} passes. A service that answers 401, 403 or 404 there is
   * serving but does not expose its health openly; it counts as started, with that said.
   */
  public Startup awaitStarted(Duration timeout) throws InterruptedException {
    Instant deadline = startedAt.plus(timeout);
    HttpRequest request =
        HttpRequest.newBuilder(healthUri()).timeout(REQUEST_TIMEOUT).GET().build();
    while (Instant.now().isBefore(deadline)) {
      if (!child.isAlive()) {
        return new Startup(false, took(), "exited with code " + child.exitCode());
      }
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status == 200 && module.isReady(response.body())) {
          return new Startup(true, took(), "");
        }
        if (status == 401 || status == 403 || status == 404) {
          return new Startup(
              true, took(), "(/actuator/health answers " + status + ", so health is not checked)");
        }
      } catch (IOException notYetListening) {
        // Still starting: the port opens late in a Spring Boot start.
      }
      Thread.sleep(POLL.toMillis());
    }
    return new Startup(
        false, took(), "not healthy at " + healthUri() + " after " + timeout.toSeconds() + " s");
  }

  private URI healthUri() {
    return URI.create("http://localhost:" + port + "/actuator/health");
  }

  private Duration took() {
    return Duration.between(startedAt, Instant.now());
  }
}
