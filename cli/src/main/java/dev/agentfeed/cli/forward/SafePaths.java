package dev.agentfeed.cli.forward;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Keeps the forwarder inside the agents directory: a path is used only when, normalized, it lies
 * under the directory and neither it nor any directory between is a symbolic link. So a link
 * planted in the directory ({@code agents/x/raw_output.jsonl -> /etc/shadow}, or a linked folder)
 * is never read, and nothing is ever sent from outside.
 */
final class SafePaths {

  private final Path root;

  /**
   * @param root the agents directory, as a real path (no links in it)
   */
  SafePaths(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** The path relative to the root, when it is a safe regular file or directory under it. */
  Optional<Path> relative(Path path) {
    Path absolute = root.resolve(path).normalize();
    if (!absolute.startsWith(root) || absolute.equals(root)) {
      return Optional.empty();
    }
    Path relative = root.relativize(absolute);
    Path current = root;
    for (Path name : relative) {
      current = current.resolve(name);
      if (Files.isSymbolicLink(current)) {
        return Optional.empty();
      }
    }
    if (!Files.isRegularFile(absolute, LinkOption.NOFOLLOW_LINKS)
        && !Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return Optional.of(relative);
  }

  /** The real directory of {@code dir}, which must exist. */
  static Path realDirectory(Path dir) throws IOException {
    Path real = dir.toRealPath();
    if (!Files.isDirectory(real)) {
      throw new IOException(dir + " is not a directory");
    }
    return real;
  }
}
