package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.feed.FeedRecord;
import dev.agentfeed.model.EventType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code types} of a subscription: event type names where {@code *} matches any characters
 * ({@code tool.*}, {@code file.edited}, {@code *}). A pattern that matches no known event type is a
 * {@code bad_request}, so a typo is not a subscription that silently never receives anything.
 */
final class TypeFilter {

  static final TypeFilter ALL = new TypeFilter(List.of());

  private static final int MAX_PATTERNS = 64;
  private static final Pattern SHAPE = Pattern.compile("[a-z0-9_.*]{1,64}");

  private final List<Pattern> patterns;

  private TypeFilter(List<Pattern> patterns) {
    this.patterns = patterns;
  }

  static TypeFilter of(List<String> types) {
    if (types.isEmpty()) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "\"types\" must name at least one type pattern, or be left out");
    }
    if (types.size() > MAX_PATTERNS) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "\"types\" may hold at most " + MAX_PATTERNS + " patterns");
    }
    List<Pattern> compiled = new ArrayList<>();
    for (String type : types) {
      if (!SHAPE.matcher(type).matches()) {
        throw new ProtocolException(
            ErrorCode.BAD_REQUEST,
            "type pattern \"" + type + "\" must be an event type, where * matches anything");
      }
      Pattern pattern = Pattern.compile(Pattern.quote(type).replace("*", "\\E.*\\Q"));
      if (Arrays.stream(EventType.values())
          .noneMatch(t -> pattern.matcher(t.wireName()).matches())) {
        throw new ProtocolException(
            ErrorCode.BAD_REQUEST,
            "type pattern \""
                + type
                + "\" matches no event type; the types are "
                + EventType.wireNames());
      }
      compiled.add(pattern);
    }
    return new TypeFilter(List.copyOf(compiled));
  }

  boolean all() {
    return patterns.isEmpty();
  }

  boolean matches(String type) {
    if (patterns.isEmpty()) {
      return true;
    }
    for (Pattern pattern : patterns) {
      if (pattern.matcher(type).matches()) {
        return true;
      }
    }
    return false;
  }

  /** The events of a record that pass; the record's own list when all do. */
  List<FeedRecord.Item> select(List<FeedRecord.Item> events) {
    if (patterns.isEmpty()) {
      return events;
    }
    List<FeedRecord.Item> selected = new ArrayList<>(events.size());
    for (FeedRecord.Item item : events) {
      if (matches(item.type())) {
        selected.add(item);
      }
    }
    return selected;
  }
}
