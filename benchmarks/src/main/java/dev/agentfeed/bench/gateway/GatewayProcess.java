package dev.agentfeed.bench.gateway;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One gateway in a JVM of its own, so that its heap and RSS are measured without the clients'. It
 * runs from this JVM's classpath: directly when the benchmark runs from classes, through Spring
 * Boot's {@code PropertiesLauncher} when it runs from the executable jar.
 */
final class GatewayProcess implements AutoCloseable {

  private static final String MAIN = "dev.agentfeed.gateway.GatewayApplication";
  private static final Pattern HEAP =
      Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.eE+-]+)$");

  // " 1:  12345  678900  java.lang.String (java.base@21)": instances, bytes, class.
  private static final Pattern HISTOGRAM_ROW =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http = HttpClient.newHttpClient();

  private GatewayProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static GatewayProcess start(List<String> jvmArgs, List<String> args) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmArgs);
    if (!classpath.contains(File.pathSeparator) && classpath.endsWith(".jar")) {
      command.addAll(
          List.of(
              "-cp",
              classpath,
              "-Dloader.main=" + MAIN,
              "org.springframework.boot.loader.launch.PropertiesLauncher"));
    } else {
      command.addAll(List.of("-cp", classpath, MAIN));
    }
    command.add("--server.port=" + port);
    command.add("--management.endpoints.web.exposure.include=health,prometheus");
    command.addAll(args);
    Path log = Files.createTempFile("agentfeed-bench-gateway", ".log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    GatewayProcess gateway = new GatewayProcess(process, port, log);
    gateway.awaitReady(Duration.ofMinutes(2));
    return gateway;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  /** Runs a full GC in the gateway (jcmd), then reads its used heap from its own metrics. */
  long heapAfterGc() throws Exception {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()),
                "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    jcmd.waitFor(60, TimeUnit.SECONDS);
    String metrics = get("/actuator/prometheus").body();
    Matcher heap = HEAP.matcher(metrics);
    double used = 0;
    while (heap.find()) {
      used += Double.parseDouble(heap.group(1));
    }
    return (long) used;
  }

  /**
   * The gateway's heap by class (jcmd GC.class_histogram, which runs a full GC first): bytes and
   * instances per class name.
   */
  Map<String, long[]> classHistogram() throws Exception {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()),
                "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    Map<String, long[]> histogram = new HashMap<>();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(jcmd.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        Matcher row = HISTOGRAM_ROW.matcher(line);
        if (row.find()) {
          histogram.put(
              row.group(3),
              new long[] {Long.parseLong(row.group(2)), Long.parseLong(row.group(1))});
        }
      }
    }
    jcmd.waitFor(60, TimeUnit.SECONDS);
    return histogram;
  }

  /** The sum of a counter's series in the gateway's Prometheus metrics; 0 when it has none. */
  double counter(String name) throws IOException, InterruptedException {
    Matcher series =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$")
            .matcher(get("/actuator/prometheus").body());
    double sum = 0;
    while (series.find()) {
      sum += Double.parseDouble(series.group(2));
    }
    return sum;
  }

  /**
   * The cumulative buckets of a histogram in the gateway's Prometheus metrics, summed over its
   * series: upper bound in seconds ({@code le}, +Inf last) to the count of samples at or below it.
   */
  BucketHistogram buckets(String name) throws IOException, InterruptedException {
    Matcher series =
        Pattern.compile(
                "(?m)^"
                    + Pattern.quote(name)
                    + "_bucket\\{(?:[^}]*,)?le=\"([^\"]+)\"[^}]*\\} ([0-9.eE+-]+)$")
            .matcher(get("/actuator/prometheus").body());
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    while (series.find()) {
      double le =
          series.group(1).equals("+Inf")
              ? Double.POSITIVE_INFINITY
              : Double.parseDouble(series.group(1));
      buckets.merge(le, Double.parseDouble(series.group(2)), Double::sum);
    }
    return new BucketHistogram(buckets);
  }

  /** The CPU time the gateway's JVM has used so far, all threads; zero when the OS does not say. */
  Duration cpu() {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** The gateway's resident set, from /proc (Linux); -1 elsewhere. */
  long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void awaitReady(Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the gateway exited; see " + log);
      }
      try {
        if (get("/actuator/health/readiness").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    throw new IllegalStateException("the gateway did not get ready in " + limit + "; see " + log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
