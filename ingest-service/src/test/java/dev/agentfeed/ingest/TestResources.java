package dev.agentfeed.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The transcripts and samples under {@code src/test/resources}, as text. */
public final class TestResources {

  private TestResources() {}

  /** The resource at {@code path} (from the classpath root, e.g. {@code claude-code/x.jsonl}). */
  public static String text(String path) {
    try (InputStream in = TestResources.class.getResourceAsStream("/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
