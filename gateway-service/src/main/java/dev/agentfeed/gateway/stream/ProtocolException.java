package dev.agentfeed.gateway.stream;

/** A client frame that cannot be served; becomes an {@code error} frame, never a closed socket. */
final class ProtocolException extends RuntimeException {

  private final ErrorCode code;

  ProtocolException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  ErrorCode code() {
    return code;
  }
}
