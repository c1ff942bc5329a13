package dev.agentfeed.model;

import java.util.regex.Pattern;

/** The one rule for {@code id}, {@code orgId}, {@code sessionId} and {@code agentId}. */
public final class Ids {

  public static final String PATTERN_TEXT = "[A-Za-z0-9._:-]{1,128}";
  public static final Pattern PATTERN = Pattern.compile(PATTERN_TEXT);

  private Ids() {}

  public static boolean isValid(String id) {
    return id != null && PATTERN.matcher(id).matches();
  }
}
