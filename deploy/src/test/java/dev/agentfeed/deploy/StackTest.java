package dev.agentfeed.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentfeed.deploy.fake.FakeService;
import dev.agentfeed.deploy.service.ServiceModule;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's whole start and stop, with {@link FakeService} jars standing in for the four
 * services (which this module must not need): a real broker and S3 endpoint, then the services with
 * their arguments, then everything stopped.
 */
class StackTest {

  @TempDir Path repo;
  @TempDir Path data;

  private Stack stack;

  @AfterEach
  void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void shouldStartEveryServiceWithItsArgumentsAndLeaveNoProcessAfterClose() throws Exception {
    StackSettings settings = settings();
    stack = new Stack(settings);

    stack.start();

    for (ServiceModule module : ServiceModule.values()) {
      assertThat(Files.readAllLines(data.resolve(settings.port(module) + ".args")))
          .as(module.moduleName())
          .isEqualTo(ServiceArguments.of(module, settings));
    }
    stack.close();
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void shouldFailNamingTheServiceAndItsLogWhenAServiceExitsAtStart() throws Exception {
    StackSettings settings = settings("--service-arg", "archiver:--fake.exit=3");
    stack = new Stack(settings);

    assertThatThrownBy(stack::start)
        .hasMessageStartingWith(
            "archiver FAILED: exited with code 3; see " + settings.logFile("archiver"));
    stack.close();
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  private StackSettings settings(String... extra) throws IOException {
    for (ServiceModule module : ServiceModule.values()) {
      writeFakeServiceJar(module.jar(repo, LocalStack.BuildVersion.version()));
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "--repo-dir",
                repo.toString(),
                "--data-dir",
                data.toString(),
                "--service-jvm-options",
                "-Xmx32m",
                "--start-timeout",
                "60s"));
    for (String option :
        List.of(
            "--kafka-port",
            "--kafka-controller-port",
            "--s3-port",
            "--gateway-port",
            "--ingest-port",
            "--processor-port",
            "--archiver-port")) {
      args.add(option);
      args.add(String.valueOf(freePort()));
    }
    args.addAll(Arrays.asList(extra));
    return ServiceArgumentsTest.parse(args.toArray(String[]::new));
  }

  /** A runnable jar whose manifest points at this module's test classes. */
  private static void writeFakeServiceJar(Path jar) throws IOException {
    Manifest manifest = new Manifest();
    Attributes attributes = manifest.getMainAttributes();
    attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    attributes.put(Attributes.Name.MAIN_CLASS, FakeService.class.getName());
    attributes.put(Attributes.Name.CLASS_PATH, testClasses());
    Files.createDirectories(jar.getParent());
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      // the manifest is the whole jar
    }
  }

  private static String testClasses() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(Path::of)
        .filter(Files::isDirectory)
        .map(path -> path.toAbsolutePath().toUri().toString())
        .reduce((a, b) -> a + " " + b)
        .orElseThrow();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
