package dev.agentfeed.cli;

import dev.agentfeed.archiver.replay.ReplayCatalog;
import dev.agentfeed.archiver.replay.ReplayManifest;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;

/** {@code replays list}: the org's archived sessions, one line each, from their manifests. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "Lists the org's archived sessions (by the UTC day of their first event).")
final class ListCommand implements Callable<Integer> {

  private static final String ROW = "%-28s %-10s %-9s %8s %-17s %-24s %-24s %s%n";

  @Spec CommandSpec spec;

  @Mixin S3Options s3;

  @Option(names = "--from", paramLabel = "DATE", description = "First day, YYYY-MM-DD (inclusive).")
  LocalDate from;

  @Option(names = "--to", paramLabel = "DATE", description = "Last day, YYYY-MM-DD (inclusive).")
  LocalDate to;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (from != null && to != null && to.isBefore(from)) {
      spec.commandLine().getErr().printf("--to %s is before --from %s.%n", to, from);
      return AgentfeedCli.FAILED;
    }
    try (S3Options.Archive archive = s3.open()) {
      List<ReplayCatalog.Entry> entries = archive.catalog().list(s3.org, from, to);
      out.printf(ROW, "SESSION", "DATE", "STATUS", "EVENTS", "SEQ", "FIRST", "LAST", "VERSION");
      for (ReplayCatalog.Entry entry : entries) {
        ReplayManifest m = entry.manifest();
        out.printf(
            ROW,
            m.sessionId(),
            entry.folder().date(),
            m.status() == null ? "-" : m.status().wireName(),
            m.eventCount(),
            m.firstSeq() + ".." + m.lastSeq(),
            m.firstTs(),
            m.lastTs(),
            m.manifestVersion());
      }
      return 0;
    } catch (SdkException e) {
      spec.commandLine().getErr().printf("S3 at %s failed: %s%n", s3.endpoint, e.getMessage());
      return AgentfeedCli.FAILED;
    }
  }
}
