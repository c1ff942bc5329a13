package dev.agentfeed.model;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks an event from outside against the contract and reports every problem with its JSON path
 * ({@code data.toolName: must not be blank}), rather than stopping at the first. The fields the
 * pipeline owns ({@code receivedAt}, {@code seq}, {@code tier}) are dropped from input: only the
 * pipeline sets them.
 */
public final class EventValidator {

  private static final List<String> PRODUCER_FIELDS =
      List.of("id", "type", "orgId", "sessionId", "agentId", "source", "ts", "data");
  private static final Set<String> PIPELINE_FIELDS = Set.of("receivedAt", "seq", "tier");

  private final EventCodec codec;
  private final Validator validator;

  public EventValidator(EventCodec codec) {
    this.codec = codec;
    // The parameter interpolator needs no expression-language implementation on the classpath.
    this.validator =
        Validation.byDefaultProvider()
            .configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory()
            .getValidator();
  }

  /** The outcome of validating one event. */
  public sealed interface Result permits Valid, Invalid {}

  /** The event fits the contract. */
  public record Valid(EventEnvelope event) implements Result {}

  /** What is wrong, every problem with its path. */
  public record Invalid(List<Violation> violations) implements Result {

    /** All problems in one line, as ingest reports them. */
    public String message() {
      return String.join("; ", violations.stream().map(Violation::toString).toList());
    }
  }

  public Result validate(JsonNode node) {
    if (node == null || !node.isObject()) {
      return new Invalid(List.of(new Violation("$", "an event must be a JSON object")));
    }
    List<Violation> violations = new ArrayList<>();
    for (String name : node.propertyNames()) {
      if (!PRODUCER_FIELDS.contains(name) && !PIPELINE_FIELDS.contains(name)) {
        violations.add(
            new Violation(
                name, "unknown field; an event has only " + String.join(", ", PRODUCER_FIELDS)));
      }
    }
    String id = requiredId(node, "id", violations);
    Optional<EventType> type = eventType(node, violations);
    String orgId = requiredId(node, "orgId", violations);
    String sessionId = requiredId(node, "sessionId", violations);
    String agentId = optionalId(node, "agentId", violations);
    String source = optionalText(node, "source", Limits.MAX_SOURCE_LENGTH, violations);
    Instant ts = timestamp(node, violations);
    ObjectNode data = data(node, violations);
    if (type.isPresent() && data != null) {
      violations.addAll(payloadViolations(type.get(), data));
    }
    if (!violations.isEmpty()) {
      return new Invalid(List.copyOf(violations));
    }
    return new Valid(
        new EventEnvelope(
            id, type.get(), orgId, sessionId, agentId, source, ts, data, null, null, null));
  }

  private static String requiredId(JsonNode node, String field, List<Violation> violations) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      violations.add(new Violation(field, "is required"));
      return null;
    }
    return checkedId(value, field, violations);
  }

  private static String optionalId(JsonNode node, String field, List<Violation> violations) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : checkedId(value, field, violations);
  }

  private static String checkedId(JsonNode value, String field, List<Violation> violations) {
    if (!value.isString()) {
      violations.add(new Violation(field, "must be a string"));
      return null;
    }
    String text = value.stringValue();
    if (!Ids.isValid(text)) {
      violations.add(new Violation(field, "must match " + Ids.PATTERN_TEXT));
      return null;
    }
    return text;
  }

  private static Optional<EventType> eventType(JsonNode node, List<Violation> violations) {
    JsonNode value = node.get("type");
    if (value == null || value.isNull()) {
      violations.add(new Violation("type", "is required"));
      return Optional.empty();
    }
    if (!value.isString()) {
      violations.add(new Violation("type", "must be a string"));
      return Optional.empty();
    }
    Optional<EventType> type = EventType.fromWireName(value.stringValue());
    if (type.isEmpty()) {
      violations.add(
          new Violation(
              "type",
              "unknown event type '"
                  + value.stringValue()
                  + "'; expected one of "
                  + EventType.wireNames()));
    }
    return type;
  }

  private static String optionalText(
      JsonNode node, String field, int maxLength, List<Violation> violations) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isString()) {
      violations.add(new Violation(field, "must be a string"));
      return null;
    }
    if (value.stringValue().length() > maxLength) {
      violations.add(new Violation(field, "must be at most " + maxLength + " characters"));
      return null;
    }
    return value.stringValue();
  }

  private static Instant timestamp(JsonNode node, List<Violation> violations) {
    JsonNode value = node.get("ts");
    if (value == null || value.isNull()) {
      violations.add(new Violation("ts", "is required"));
      return null;
    }
    if (value.isString()) {
      try {
        return OffsetDateTime.parse(value.stringValue()).toInstant();
      } catch (DateTimeException e) {
        // reported below with the expected form
      }
    }
    violations.add(
        new Violation("ts", "must be an ISO-8601 timestamp such as 2026-01-30T12:00:00.123Z"));
    return null;
  }

  private static ObjectNode data(JsonNode node, List<Violation> violations) {
    JsonNode value = node.get("data");
    if (value == null || value.isNull()) {
      violations.add(new Violation("data", "is required (an object; {} when there is nothing)"));
      return null;
    }
    if (!value.isObject()) {
      violations.add(new Violation("data", "must be a JSON object"));
      return null;
    }
    return (ObjectNode) value;
  }

  private List<Violation> payloadViolations(EventType type, ObjectNode data) {
    Object payload;
    try {
      payload = codec.mapper().treeToValue(data, type.payloadType());
    } catch (JacksonException e) {
      return List.of(new Violation(dataPath(e), shapeMessage(e)));
    }
    Set<ConstraintViolation<Object>> found = validator.validate(payload);
    return found.stream()
        .map(v -> new Violation("data." + v.getPropertyPath(), v.getMessage()))
        .sorted(Comparator.comparing(Violation::path))
        .toList();
  }

  private static String dataPath(JacksonException e) {
    StringBuilder path = new StringBuilder("data");
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        path.append('.').append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String shapeMessage(JacksonException e) {
    String original = e.getOriginalMessage();
    int cut = original.indexOf(" from ");
    String expected = cut > 0 ? original.substring(0, cut) : original;
    if (expected.startsWith("Cannot deserialize value of type")) {
      String javaType = expected.substring("Cannot deserialize value of type".length()).trim();
      return "has the wrong type; expected " + jsonTypeOf(javaType);
    }
    return "has the wrong shape";
  }

  private static String jsonTypeOf(String javaType) {
    String simple = javaType.replace("`", "");
    if (simple.endsWith("Long") || simple.endsWith("Integer")) {
      return "an integer";
    }
    if (simple.endsWith("Double")) {
      return "a number";
    }
    if (simple.endsWith("Boolean")) {
      return "true or false";
    }
    if (simple.endsWith("String")) {
      return "a string";
    }
    return "an object";
  }
}
