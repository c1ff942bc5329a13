package dev.agentfeed.archiver.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local directory where pending events spill and large objects are assembled. Nothing in it
 * outlives the process that wrote it: after a crash Kafka still holds every event not finished in
 * S3, so files left from an earlier run are deleted at start.
 */
final class SpoolDirectory {

  private SpoolDirectory() {}

  /**
   * @param configured the configured directory, or null for a fresh one under the system's
   *     temporary directory
   */
  static Path prepare(Path configured) {
    try {
      if (configured == null) {
        return Files.createTempDirectory("agentfeed-archiver-spool-");
      }
      Files.createDirectories(configured);
      try (DirectoryStream<Path> leftovers =
          Files.newDirectoryStream(configured, "{session-*.spool,object-*.jsonl.gz}")) {
        for (Path leftover : leftovers) {
          Files.deleteIfExists(leftover);
        }
      }
      return configured;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot prepare agentfeed.archiver.segments.spool-dir " + configured, e);
    }
  }
}
