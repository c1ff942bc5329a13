package dev.agentfeed.gateway.stream;

/**
 * A parsed {@code subscribe} frame. {@code orgId} is null when the frame names none (the token's
 * org applies); {@code from} is {@code beginning}, {@code live} or a cursor.
 */
record SubscribeRequest(String id, String sessionId, String orgId, String from) {

  static final String BEGINNING = "beginning";
  static final String LIVE = "live";
}
