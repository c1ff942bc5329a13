package dev.agentfeed.processor.live;

/** The size in bytes of a string written as JSON by the pipeline's codec, without writing it. */
final class JsonSize {

  private JsonSize() {}

  /**
   * Quotes included; UTF-8; the codec escapes {@code "} and {@code \\} and the control characters
   * below 0x20 ({@code \\n}-style where one exists, else {@code \\u00XX}) and unpaired surrogates,
   * and nothing else.
   */
  static long ofString(String text) {
    long bytes = 2;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        bytes += 2;
      } else if (c < 0x20) {
        bytes += c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f' ? 2 : 6;
      } else if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        // Unpaired: not valid UTF-16, the codec escapes it.
        bytes += 6;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
