package dev.agentfeed.model.schema;

import dev.agentfeed.model.EventType;
import dev.agentfeed.model.Ids;
import dev.agentfeed.model.Limits;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Derives the JSON Schema of the envelope from the event types and payload records, so the
 * published schema ({@code docs/event-envelope.schema.json}) cannot drift from what ingest
 * validates. A test compares the file with this output.
 */
public final class EnvelopeSchema {

  private final JsonMapper mapper;

  public EnvelopeSchema(JsonMapper mapper) {
    this.mapper = mapper;
  }

  public ObjectNode generate() {
    ObjectNode schema = mapper.createObjectNode();
    schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    schema.put("$id", "https://agentfeed.dev/schemas/event-envelope.schema.json");
    schema.put("title", "agentfeed event envelope");
    schema.put(
        "description",
        "One event as a sandbox posts it. receivedAt, seq and tier are set by the pipeline and"
            + " ignored on input. Serialized size at most "
            + Limits.MAX_EVENT_BYTES
            + " bytes.");
    schema.put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    idProperty(properties, "id", "Idempotency key: a retried event is never stored twice.");
    ObjectNode type = properties.putObject("type");
    type.put("description", "domain.action");
    ArrayNode names = type.putArray("enum");
    Arrays.stream(EventType.values()).forEach(t -> names.add(t.wireName()));
    idProperty(properties, "orgId", "The organisation; must equal the token's org claim.");
    idProperty(properties, "sessionId", "The session; must equal the token's sid claim if set.");
    idProperty(properties, "agentId", "The agent within the session.");
    properties.putObject("source").put("type", "string").put("maxLength", Limits.MAX_SOURCE_LENGTH);
    properties
        .putObject("ts")
        .put("type", "string")
        .put("format", "date-time")
        .put("description", "When it happened, ISO-8601, e.g. 2026-01-30T12:00:00.123Z.");
    properties.putObject("data").put("type", "object");
    ArrayNode required = schema.putArray("required");
    for (String field : new String[] {"id", "type", "orgId", "sessionId", "ts", "data"}) {
      required.add(field);
    }
    ArrayNode allOf = schema.putArray("allOf");
    ObjectNode defs = mapper.createObjectNode();
    for (EventType eventType : EventType.values()) {
      String defName = eventType.payloadType().getSimpleName();
      if (!defs.has(defName)) {
        defs.set(defName, recordSchema(eventType.payloadType()));
      }
      ObjectNode rule = allOf.addObject();
      rule.putObject("if")
          .putObject("properties")
          .putObject("type")
          .put("const", eventType.wireName());
      rule.putObject("then")
          .putObject("properties")
          .putObject("data")
          .put("$ref", "#/$defs/" + defName);
    }
    schema.set("$defs", defs);
    return schema;
  }

  private static void idProperty(ObjectNode properties, String name, String description) {
    properties
        .putObject(name)
        .put("type", "string")
        .put("pattern", "^" + Ids.PATTERN_TEXT + "$")
        .put("description", description);
  }

  private ObjectNode recordSchema(Class<?> type) {
    ObjectNode schema = mapper.createObjectNode();
    schema.put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    Map<String, Boolean> required = new LinkedHashMap<>();
    for (RecordComponent component : type.getRecordComponents()) {
      properties.set(component.getName(), componentSchema(component));
      boolean mandatory =
          annotated(component).isAnnotationPresent(NotNull.class)
              || annotated(component).isAnnotationPresent(NotBlank.class);
      if (mandatory) {
        required.put(component.getName(), true);
      }
    }
    if (!required.isEmpty()) {
      ArrayNode list = schema.putArray("required");
      required.keySet().forEach(list::add);
    }
    return schema;
  }

  /** Constraint annotations do not target record components; they land on the accessor. */
  private static java.lang.reflect.Method annotated(RecordComponent component) {
    return component.getAccessor();
  }

  private JsonNode componentSchema(RecordComponent component) {
    Class<?> type = component.getType();
    if (type.isRecord()) {
      return recordSchema(type);
    }
    ObjectNode schema = mapper.createObjectNode();
    if (type == String.class) {
      schema.put("type", "string");
    } else if (type == Long.class || type == Integer.class) {
      schema.put("type", "integer");
    } else if (type == Double.class) {
      schema.put("type", "number");
    } else if (type == Boolean.class) {
      schema.put("type", "boolean");
    } else if (!JsonNode.class.isAssignableFrom(type)) {
      throw new IllegalStateException("no schema mapping for " + type);
    }
    if (annotated(component).isAnnotationPresent(NotBlank.class)) {
      schema.put("minLength", 1).put("pattern", "\\S");
    }
    Size size = annotated(component).getAnnotation(Size.class);
    if (size != null) {
      schema.put("maxLength", size.max());
    }
    Pattern pattern = annotated(component).getAnnotation(Pattern.class);
    if (pattern != null) {
      schema.put("pattern", "^(" + pattern.regexp() + ")$");
    }
    if (annotated(component).isAnnotationPresent(PositiveOrZero.class)) {
      schema.put("minimum", 0);
    }
    DecimalMin min = annotated(component).getAnnotation(DecimalMin.class);
    if (min != null) {
      schema.put("minimum", Double.parseDouble(min.value()));
    }
    DecimalMax max = annotated(component).getAnnotation(DecimalMax.class);
    if (max != null) {
      schema.put("maximum", Double.parseDouble(max.value()));
    }
    return schema;
  }
}
