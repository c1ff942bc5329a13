package dev.agentfeed.ingest.events;

import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;

/**
 * Parser errors in words a client can act on: what is wrong and where, without parser internals.
 */
final class JsonErrors {

  private JsonErrors() {}

  /** The parser's message, first line only and without the location of an opening bracket. */
  static String describe(JacksonException e) {
    String message = String.valueOf(e.getOriginalMessage());
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    int marker = message.indexOf(" (start marker at");
    if (marker >= 0) {
      message = message.substring(0, marker);
    }
    return message;
  }

  static String lineAndColumn(TokenStreamLocation location) {
    return "line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  /** Where a value starts or ends in the body, in bytes (or characters for non-UTF-8 bodies). */
  static long offset(TokenStreamLocation location) {
    return location.getByteOffset() >= 0 ? location.getByteOffset() : location.getCharOffset();
  }
}
