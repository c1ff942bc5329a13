package dev.agentfeed.cli;

import dev.agentfeed.archiver.replay.ReplayCatalog;
import dev.agentfeed.archiver.replay.ReplayVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code replays get}: the session's events as JSON lines in seq order (the replay and every later
 * segment, uncompressed), each object checked against the manifest's SHA-256 on the way.
 */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description =
        "Writes the session's events as JSON lines (replay plus later segments, in seq order).")
final class GetCommand extends SessionCommand {

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write to this file instead of standard output.")
  Path output;

  @Override
  int run(S3Options.Archive archive, ReplayCatalog.Entry entry) {
    List<String> lines;
    try {
      lines = archive.verifier().readLines(entry);
    } catch (ReplayVerifier.IntegrityException e) {
      err()
          .printf(
              "FAILED: %s%nRun 'agentfeed replays verify %s' for details.%n",
              e.getMessage(), sessionId);
      return AgentfeedCli.FAILED;
    }
    if (output == null) {
      write(out(), lines);
      out().flush();
      return 0;
    }
    try (Writer file = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
      write(file, lines);
    } catch (IOException e) {
      err().printf("Cannot write %s: %s%n", output, e.getMessage());
      return AgentfeedCli.FAILED;
    }
    out()
        .printf(
            "Wrote %d events of session %s (manifest version %d) to %s%n",
            lines.size(), sessionId, entry.manifest().manifestVersion(), output);
    return 0;
  }

  private static void write(Writer writer, List<String> lines) {
    PrintWriter out = writer instanceof PrintWriter p ? p : new PrintWriter(writer);
    for (String line : lines) {
      out.print(line);
      out.print('\n');
    }
    out.flush();
  }
}
