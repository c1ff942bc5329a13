package dev.agentfeed.processor.streams;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serialises envelopes for a sink and keeps, per stream thread, the bytes of the last one, so that
 * a later step of the same record that writes the very same envelope instance (the live feed writes
 * an event unchanged unless a field is cut) takes them instead of serialising it a second time: it
 * was a tenth of the stream thread. The pipeline never changes an envelope once it is built (every
 * step that changes data copies it first), so the same instance means the same bytes; anything else
 * is simply serialised.
 */
public final class EnvelopeBytes implements Serializer<EventEnvelope> {

  private final EventCodec codec;

  /** Per thread: Kafka Streams may run several stream threads over one topology. */
  private final ThreadLocal<Last> last = new ThreadLocal<>();

  private record Last(EventEnvelope event, byte[] bytes) {}

  public EnvelopeBytes(EventCodec codec) {
    this.codec = codec;
  }

  @Override
  public byte[] serialize(String topic, EventEnvelope event) {
    return event == null ? null : of(event);
  }

  /** The envelope's JSON as {@link EventCodec#toBytes} writes it; the caller must not change it. */
  public byte[] of(EventEnvelope event) {
    Last remembered = last.get();
    if (remembered != null && remembered.event() == event) {
      return remembered.bytes();
    }
    byte[] bytes = codec.toBytes(event);
    last.set(new Last(event, bytes));
    return bytes;
  }
}
