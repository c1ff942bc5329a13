package dev.agentfeed.ingest.events;

import java.io.IOException;
import java.io.InputStream;

/**
 * Passes a request body through up to its limit and throws {@link BodyTooLargeException} as soon as
 * a byte beyond it arrives. Exactly {@code limit} bytes are delivered first, so that a streamed
 * body's complete lines before the limit are still processed.
 */
final class BoundedInputStream extends InputStream {

  private final InputStream in;
  private final long limit;
  private long remaining;

  BoundedInputStream(InputStream in, long limit) {
    this.in = in;
    this.limit = limit;
    this.remaining = limit;
  }

  @Override
  public int read() throws IOException {
    if (remaining == 0) {
      return endOrTooLarge();
    }
    int b = in.read();
    if (b >= 0) {
      remaining--;
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (remaining == 0) {
      return endOrTooLarge();
    }
    int n = in.read(buffer, offset, (int) Math.min(length, remaining));
    if (n > 0) {
      remaining -= n;
    }
    return n;
  }

  private int endOrTooLarge() throws IOException {
    if (in.read() < 0) {
      return -1;
    }
    throw new BodyTooLargeException(limit);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
