package dev.agentfeed.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * The one JSON codec of the pipeline. Envelopes are written without null fields and with ISO-8601
 * instants, so the bytes of an event are the same wherever it is encoded; the archive's checksums
 * rely on that.
 */
public final class EventCodec {

  private final JsonMapper mapper;

  public EventCodec() {
    this.mapper =
        JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .addModule(
                new SimpleModule("canonical-instants")
                    .addDeserializer(Instant.class, new CanonicalInstantDeserializer()))
            .changeDefaultPropertyInclusion(
                incl -> incl.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();
  }

  /** The configured mapper, for callers that encode their own records the same way. */
  public JsonMapper mapper() {
    return mapper;
  }

  public byte[] toBytes(EventEnvelope event) {
    return mapper.writeValueAsBytes(event);
  }

  public String toJson(EventEnvelope event) {
    return mapper.writeValueAsString(event);
  }

  /**
   * Reads an envelope the pipeline wrote itself. Input from outside goes through {@link
   * EventValidator}, which says what is wrong instead of throwing.
   *
   * @throws JacksonException when the bytes are not an envelope
   */
  public EventEnvelope fromBytes(byte[] json) {
    return mapper.readValue(json, EventEnvelope.class);
  }

  /**
   * Reads a {@code feed.live} value: a {@link LiveBatch} when its {@code type} is {@code "batch"},
   * else an event.
   *
   * @throws JacksonException when the bytes are neither
   */
  public LiveRecord readLive(byte[] json) {
    JsonNode tree = mapper.readTree(json);
    if (LiveBatch.TYPE.equals(tree.path("type").asString(""))) {
      return mapper.treeToValue(tree, LiveBatch.class);
    }
    return mapper.treeToValue(tree, EventEnvelope.class);
  }

  public byte[] toBytes(LiveBatch batch) {
    return mapper.writeValueAsBytes(batch);
  }

  public EventEnvelope fromJson(String json) {
    return mapper.readValue(json, EventEnvelope.class);
  }

  public EventEnvelope fromTree(JsonNode node) {
    return mapper.treeToValue(node, EventEnvelope.class);
  }

  public JsonNode toTree(EventEnvelope event) {
    return mapper.valueToTree(event);
  }

  /** The typed view of an event's {@code data}; the type must be the event type's payload. */
  public <T extends Record> T payload(EventEnvelope event, Class<T> type) {
    if (event.type().payloadType() != type) {
      throw new IllegalArgumentException(
          event.type().wireName() + " carries " + event.type().payloadType().getSimpleName());
    }
    return mapper.treeToValue(event.data(), type);
  }
}
