package dev.agentfeed.ingest.events;

import java.io.InputStream;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads an {@code application/json} body, one event or an array of events, element by element with
 * the size each element takes in the body. A body that is not JSON, or that is JSON of another
 * shape, is a 400 with the position of the problem.
 */
final class JsonBody {

  /** Receives each element of the body. */
  interface ElementHandler {
    void accept(int index, JsonNode element, long size);
  }

  private JsonBody() {}

  /**
   * Hands every element to {@code handler} and returns how many there were.
   *
   * @throws org.springframework.web.ErrorResponseException 400 when the body is not one event or an
   *     array of them
   * @throws BodyTooLargeException when the body goes past the request limit
   */
  static int read(ObjectMapper mapper, InputStream body, ElementHandler handler) {
    try (JsonParser parser = mapper.createParser(body)) {
      JsonToken first = parser.nextToken();
      int count = 0;
      if (first == null) {
        return 0;
      } else if (first == JsonToken.START_OBJECT) {
        readElement(parser, count++, handler);
      } else if (first == JsonToken.START_ARRAY) {
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          readElement(parser, count++, handler);
        }
      } else {
        throw EventProblems.notJson(
            "the body must be one event (a JSON object) or an array of events, not " + kind(first));
      }
      if (parser.nextToken() != null) {
        throw EventProblems.notJson(
            "the body must hold one JSON value, but more follows at "
                + JsonErrors.lineAndColumn(parser.currentTokenLocation()));
      }
      return count;
    } catch (StreamConstraintsException e) {
      // Nesting, number or string beyond the parser's limits: the body is refused, not a failure.
      throw EventProblems.notJson(
          "the body is beyond the JSON parser's limits: "
              + JsonErrors.describe(e)
              + " at "
              + JsonErrors.lineAndColumn(parser(e)));
    } catch (StreamReadException e) {
      throw EventProblems.notJson(
          "the body is not valid JSON: "
              + JsonErrors.describe(e)
              + " at "
              + JsonErrors.lineAndColumn(e.getLocation()));
    }
  }

  private static TokenStreamLocation parser(StreamConstraintsException e) {
    return e.getLocation() != null ? e.getLocation() : TokenStreamLocation.NA;
  }

  private static String kind(JsonToken token) {
    return switch (token) {
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.name();
    };
  }

  private static void readElement(JsonParser parser, int index, ElementHandler handler) {
    long start = JsonErrors.offset(parser.currentTokenLocation());
    JsonNode element = parser.readValueAsTree();
    long end = JsonErrors.offset(parser.currentLocation());
    handler.accept(index, element, end - start);
  }
}
