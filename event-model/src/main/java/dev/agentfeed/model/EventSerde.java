package dev.agentfeed.model;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import tools.jackson.core.JacksonException;

/**
 * Kafka serde for envelopes. Nulls pass through (tombstones); bytes that are not an envelope throw
 * {@link SerializationException}, so the configured deserialization handler can send them to the
 * dead-letter topic.
 */
public final class EventSerde implements Serde<EventEnvelope> {

  private final EventCodec codec;

  public EventSerde(EventCodec codec) {
    this.codec = codec;
  }

  public EventSerde() {
    this(new EventCodec());
  }

  @Override
  public Serializer<EventEnvelope> serializer() {
    return (topic, event) -> event == null ? null : codec.toBytes(event);
  }

  @Override
  public Deserializer<EventEnvelope> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return codec.fromBytes(bytes);
      } catch (JacksonException e) {
        throw new SerializationException("not an agentfeed envelope on " + topic, e);
      }
    };
  }
}
