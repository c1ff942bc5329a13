package dev.agentfeed.processor.streams;

import dev.agentfeed.model.EventCodec;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON for the processor's own records (store values, stats), written the way the pipeline writes
 * envelopes: no null fields, ISO-8601 instants. Nulls pass through as nulls (tombstones); bytes
 * that are not the expected record throw {@link SerializationException}.
 */
public final class JsonSerde<T> implements Serde<T> {

  private static final JsonMapper MAPPER = new EventCodec().mapper();

  private final Class<T> type;
  private final JsonMapper mapper;

  public JsonSerde(Class<T> type) {
    this(type, MAPPER);
  }

  /** With a mapper of the caller's, for store values that no one outside the processor reads. */
  public JsonSerde(Class<T> type, JsonMapper mapper) {
    this.type = type;
    this.mapper = mapper;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : mapper.writeValueAsBytes(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return mapper.readValue(bytes, type);
      } catch (JacksonException e) {
        throw new SerializationException(
            "not a " + type.getSimpleName() + " on " + topic + ": " + e.getOriginalMessage(), e);
      }
    };
  }
}
