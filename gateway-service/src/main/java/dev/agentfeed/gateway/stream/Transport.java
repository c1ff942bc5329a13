package dev.agentfeed.gateway.stream;

import java.io.IOException;
import java.util.function.Consumer;

/** The socket under an {@link Outbox}: a WebSocket session or an SSE response. */
interface Transport {

  String id();

  /** Bytes the transport itself still holds unsent. */
  long bufferedBytes();

  /** Milliseconds the write in progress has been blocked; 0 when none is. */
  long timeSinceSendStarted();

  /** Writes one frame; {@code cursor} is the frame's cursor, null for frames without one. */
  void write(String op, String json, String cursor) throws IOException;

  /**
   * Pushes out what {@link #write} may have kept back to send in one go; called whenever the outbox
   * has nothing more queued, and before it closes the socket.
   */
  default void flush() throws IOException {}

  /** Whether {@link #startWrite} is available: writes that never block the caller. */
  default boolean writesWithoutBlocking() {
    return false;
  }

  /**
   * Starts writing one frame without blocking: what the socket takes at once is written on this
   * thread, the rest later by the container. {@code done} runs exactly once, with null once the
   * whole frame is written or with the failure, either on this thread before this returns or later
   * on another thread. One write at a time: the next one starts after {@code done}.
   */
  default void startWrite(String op, String json, Consumer<Throwable> done) {
    throw new UnsupportedOperationException("this transport writes blocking only");
  }

  /** Closes the socket, saying why. */
  void close(Ending why);

  /** Why the gateway ends a connection. */
  enum Ending {
    /** It fell behind or stalled: come back with the last cursor. */
    RESYNC,
    /** Its token expired: come back with a new token. */
    TOKEN_EXPIRED,
    /** Nothing came from the client for the idle timeout. */
    IDLE
  }
}
