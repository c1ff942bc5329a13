package dev.agentfeed.gateway.stream;

/**
 * The {@code code} of an {@code error} frame; docs/websocket-protocol.md says when each is sent.
 */
enum ErrorCode {
  BAD_REQUEST("bad_request"),
  FORBIDDEN("forbidden"),
  UNKNOWN_OP("unknown_op"),
  DUPLICATE_SUBSCRIPTION("duplicate_subscription"),
  NOT_SUBSCRIBED("not_subscribed"),
  RESYNC_REQUIRED("resync_required"),
  LIMIT_EXCEEDED("limit_exceeded"),
  UNAVAILABLE("unavailable"),
  TOKEN_EXPIRED("token_expired");

  private final String wireName;

  ErrorCode(String wireName) {
    this.wireName = wireName;
  }

  String wireName() {
    return wireName;
  }
}
