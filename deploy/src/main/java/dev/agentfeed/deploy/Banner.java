package dev.agentfeed.deploy;

import dev.agentfeed.deploy.service.ServiceModule;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the stack prints once it is up: where everything is, the dev tokens, and a curl line that
 * posts an event. Paths are shown relative to the working directory when they are under it.
 */
final class Banner {

  /** The archiver port the dashboard page assumes when its link names none. */
  private static final int DASHBOARD_ARCHIVER_PORT = 8083;

  private Banner() {}

  /**
   * The tokens printed, each an export line; {@code dashboard} (scopes read and audit, so that
   * replays work too) goes into the dashboard link.
   */
  record Tokens(String ingest, String read, String audit, String dashboard) {}

  static void print(PrintWriter out, StackSettings settings, Tokens tokens, Path workingDir) {
    List<String[]> rows = new ArrayList<>();
    List<ServiceModule> services = settings.services();
    if (services.contains(ServiceModule.GATEWAY)) {
      int port = settings.port(ServiceModule.GATEWAY);
      rows.add(row("dashboard", "http://localhost:" + port + "/", "link with a token below"));
      rows.add(row("WebSocket", "ws://localhost:" + port + "/v1/stream", "?access_token=$READ"));
    }
    if (services.contains(ServiceModule.INGEST)) {
      rows.add(
          row(
              "ingest",
              "http://localhost:" + settings.port(ServiceModule.INGEST) + "/v1/events",
              "Authorization: Bearer $INGEST"));
    }
    if (services.contains(ServiceModule.STREAM_PROCESSOR)) {
      rows.add(
          row(
              "stream-processor",
              "http://localhost:" + settings.port(ServiceModule.STREAM_PROCESSOR) + "/actuator",
              "management only"));
    }
    if (services.contains(ServiceModule.ARCHIVER)) {
      rows.add(
          row(
              "archiver",
              "http://localhost:" + settings.port(ServiceModule.ARCHIVER) + "/v1/replays",
              "Authorization: Bearer $AUDIT"));
    }
    rows.add(
        row(
            "Kafka",
            settings.bootstrapServers(),
            "topics " + settings.topicPrefix() + "* (" + settings.partitions() + " partitions)"));
    rows.add(
        row(
            "S3",
            settings.s3Endpoint(),
            "bucket "
                + settings.bucket()
                + ", access key "
                + settings.s3AccessKey()
                + ", secret key "
                + settings.s3SecretKey()
                + ", path-style"));
    rows.add(row("data", display(settings.dataDir(), workingDir), "kafka/ s3/ stream-processor/"));
    rows.add(row("logs", display(settings.logsDir(), workingDir), logNames(services)));

    out.println();
    out.println("agentfeed local stack is up. Ctrl-C stops it; the data stays.");
    out.println();
    for (String[] row : rows) {
      out.println(
          String.format(Locale.ROOT, "  %-17s %-42s %s", row[0], row[1], row[2]).stripTrailing());
    }
    out.println();
    out.println(
        "Dev tokens (org "
            + settings.org()
            + ", valid 24 h; more: deploy/run-local.sh token --help):");
    out.println("  export INGEST=" + tokens.ingest());
    out.println("  export READ=" + tokens.read());
    out.println("  export AUDIT=" + tokens.audit());
    if (services.contains(ServiceModule.GATEWAY)) {
      out.println();
      out.println("Open the dashboard (the page keeps the token for this tab only):");
      out.println("  " + dashboardLink(settings, tokens.dashboard()));
    }
    if (services.contains(ServiceModule.INGEST)) {
      out.println();
      out.println("Post an event:");
      out.println(curlLine(settings));
    }
    out.println();
    out.flush();
  }

  /**
   * The dashboard's URL with a read+audit token; it names the archiver only when it is not on the
   * port the page assumes (8083 on the gateway's host).
   */
  static String dashboardLink(StackSettings settings, String token) {
    String link =
        "http://localhost:" + settings.port(ServiceModule.GATEWAY) + "/?access_token=" + token;
    int archiver = settings.port(ServiceModule.ARCHIVER);
    if (settings.services().contains(ServiceModule.ARCHIVER)
        && archiver != DASHBOARD_ARCHIVER_PORT) {
      link += "&archiver=http://localhost:" + archiver;
    }
    return link;
  }

  static String curlLine(StackSettings settings) {
    return "  curl -sS -X POST http://localhost:"
        + settings.port(ServiceModule.INGEST)
        + "/v1/events -H \"Authorization: Bearer $INGEST\" -H 'Content-Type: application/json' \\\n"
        // Ids of its own, so that the README's walk-through (evt-1… in ses-1) still gets the
        // answers it shows after someone tried this line first.
        + "    -d '{\"id\":\"hello-1\",\"type\":\"session.started\",\"orgId\":\""
        + settings.org()
        + "\",\"sessionId\":\"ses-hello\",\"ts\":\"2026-01-30T12:00:00Z\","
        + "\"data\":{\"title\":\"hello\"}}'";
  }

  private static String logNames(List<ServiceModule> services) {
    List<String> names = new ArrayList<>();
    names.add("kafka");
    services.forEach(module -> names.add(module.moduleName()));
    return "{" + String.join(",", names) + "}.log";
  }

  private static String display(Path path, Path workingDir) {
    Path absolute = path.toAbsolutePath().normalize();
    Path base = workingDir.toAbsolutePath().normalize();
    return absolute.startsWith(base) && !absolute.equals(base)
        ? "./" + base.relativize(absolute)
        : absolute.toString();
  }

  private static String[] row(String what, String where, String notes) {
    return new String[] {what, where, notes};
  }
}
