package dev.agentfeed.processor.streams;

/** Parts of the processor's store keys. */
public final class StoreKeys {

  private StoreKeys() {}

  /**
   * {@code value} (≥ 0) in decimal, left-padded with zeros to {@code width} digits, so that the
   * stores' byte order is the numeric order. {@code String.format} did the same at several times
   * the cost, once per event.
   */
  public static String zeroPadded(long value, int width) {
    if (value < 0) {
      throw new IllegalArgumentException("a key number must not be negative: " + value);
    }
    String digits = Long.toString(value);
    if (digits.length() >= width) {
      return digits;
    }
    return "0".repeat(width - digits.length()) + digits;
  }
}
