package dev.agentfeed.model;

import java.time.Instant;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.ext.javatime.deser.InstantDeserializer;

/**
 * Jackson's {@link Instant} reader with a fast path for the form the pipeline writes ({@link
 * IsoInstants}); every other form (an offset, a number, anything odd) goes to Jackson's own
 * deserializer, so what is accepted and what is refused, and with which message, does not change.
 * {@code DateTimeFormatter} parsing was half of the stream processor's envelope parsing in a
 * profile, and every service reads each envelope's two instants.
 */
final class CanonicalInstantDeserializer extends StdScalarDeserializer<Instant> {

  CanonicalInstantDeserializer() {
    super(Instant.class);
  }

  @Override
  public Instant deserialize(JsonParser parser, DeserializationContext context) {
    if (parser.hasToken(JsonToken.VALUE_STRING)) {
      Instant canonical = IsoInstants.parseCanonical(parser.getString());
      if (canonical != null) {
        return canonical;
      }
    }
    return InstantDeserializer.INSTANT.deserialize(parser, context);
  }
}
