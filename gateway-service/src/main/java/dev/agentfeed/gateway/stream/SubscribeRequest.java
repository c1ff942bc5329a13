package dev.agentfeed.gateway.stream;

import java.util.List;

/**
 * A parsed {@code subscribe} frame. {@code sessionId} is null for an org-wide subscription; {@code
 * orgId} is null when the frame names none (the token's org applies); {@code from} is {@code
 * beginning}, {@code live} or a cursor; {@code types} is empty when every type is wanted.
 */
record SubscribeRequest(
    String id, String sessionId, String orgId, boolean orgWide, String from, List<String> types) {

  static final String BEGINNING = "beginning";
  static final String LIVE = "live";
}
