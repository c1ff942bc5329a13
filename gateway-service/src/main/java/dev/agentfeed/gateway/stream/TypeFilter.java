package dev.agentfeed.gateway.stream;

import dev.agentfeed.gateway.feed.FeedRecord;
import dev.agentfeed.model.EventType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code types} of a subscription: event type names where {@code *} matches any characters
 * ({@code tool.*}, {@code file.edited}, {@code *}). A pattern that matches no known event type is a
 * {@code bad_request}, so a typo is not a subscription that silently never receives anything.
 *
 * <p>Patterns are matched by a linear wildcard matcher, never as regular expressions: a pattern
 * such as twenty stars, a letter and twenty stars made a backtracking regex take minutes for one
 * type, on the connection's thread. The known event types a filter accepts are worked out once,
 * when the subscription is made; only a type this gateway does not know is matched per event.
 */
final class TypeFilter {

  static final TypeFilter ALL = new TypeFilter(List.of(), Set.of());

  private static final int MAX_PATTERNS = 64;
  private static final Pattern SHAPE = Pattern.compile("[a-z0-9_.*]{1,64}");
  private static final Set<String> KNOWN =
      Arrays.stream(EventType.values()).map(EventType::wireName).collect(Collectors.toSet());

  private final List<String> patterns;
  private final Set<String> acceptedKnown;

  private TypeFilter(List<String> patterns, Set<String> acceptedKnown) {
    this.patterns = patterns;
    this.acceptedKnown = acceptedKnown;
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
    Set<String> accepted = new HashSet<>();
    for (String type : types) {
      if (!SHAPE.matcher(type).matches()) {
        throw new ProtocolException(
            ErrorCode.BAD_REQUEST,
            "type pattern \"" + type + "\" must be an event type, where * matches anything");
      }
      List<String> matched = KNOWN.stream().filter(known -> wildcardMatch(type, known)).toList();
      if (matched.isEmpty()) {
        throw new ProtocolException(
            ErrorCode.BAD_REQUEST,
            "type pattern \""
                + type
                + "\" matches no event type; the types are "
                + EventType.wireNames());
      }
      accepted.addAll(matched);
    }
    return new TypeFilter(List.copyOf(types), Set.copyOf(accepted));
  }

  boolean all() {
    return patterns.isEmpty();
  }

  boolean matches(String type) {
    if (patterns.isEmpty() || acceptedKnown.contains(type)) {
      return true;
    }
    if (KNOWN.contains(type)) {
      return false;
    }
    for (String pattern : patterns) {
      if (wildcardMatch(pattern, type)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code text} matches {@code pattern}, where {@code *} matches any characters: the
   * classic greedy match that, on a mismatch, moves only the last star's extent, so it takes at
   * most pattern length × text length steps.
   */
  static boolean wildcardMatch(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int starText = 0;
    while (t < text.length()) {
      if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        starText = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++starText;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
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
