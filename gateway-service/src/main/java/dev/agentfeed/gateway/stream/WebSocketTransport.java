package dev.agentfeed.gateway.stream;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;

/**
 * A WebSocket session as an outbox's transport: every frame is one text message. Messages are
 * batched in the container's output buffer (Jakarta WebSocket batching, on a Tomcat session) and
 * {@link #flush() flushed} once the outbox has nothing more queued, so that a burst of N frames
 * costs about one socket write rather than N. The buffer is the one the container keeps for every
 * session anyway: batching adds no memory per connection.
 */
final class WebSocketTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);

  static final CloseStatus RESYNC_CLOSE = CloseStatus.SESSION_NOT_RELIABLE.withReason("resync");
  static final CloseStatus EXPIRED_CLOSE = CloseStatus.POLICY_VIOLATION.withReason("token expired");
  static final CloseStatus IDLE_CLOSE = CloseStatus.GOING_AWAY.withReason("idle");

  private final ConcurrentWebSocketSessionDecorator session;
  // Null when the session is not a Jakarta WebSocket one, or batching could not be turned on.
  private final RemoteEndpoint.Basic batching;
  // When the flush in progress started (0: none): a flush is a socket write the decorator does not
  // see, and a socket that accepts nothing must be seen as stalled during one too.
  private volatile long flushStartedMillis;

  WebSocketTransport(ConcurrentWebSocketSessionDecorator session) {
    this.session = session;
    this.batching = batchingRemote(session);
  }

  private static RemoteEndpoint.Basic batchingRemote(WebSocketSession session) {
    if (!(WebSocketSessionDecorator.unwrap(session) instanceof NativeWebSocketSession nativeSession)
        || !(nativeSession.getNativeSession() instanceof Session jakartaSession)) {
      return null;
    }
    try {
      RemoteEndpoint.Basic remote = jakartaSession.getBasicRemote();
      remote.setBatchingAllowed(true);
      return remote;
    } catch (IOException | RuntimeException e) {
      log.debug("No message batching on WebSocket session {}", session.getId(), e);
      return null;
    }
  }

  @Override
  public String id() {
    return session.getId();
  }

  @Override
  public long bufferedBytes() {
    return session.getBufferSize();
  }

  @Override
  public long timeSinceSendStarted() {
    long flushStarted = flushStartedMillis;
    long flushing = flushStarted == 0 ? 0 : System.currentTimeMillis() - flushStarted;
    return Math.max(session.getTimeSinceSendStarted(), flushing);
  }

  @Override
  public void write(String op, String json, String cursor) throws IOException {
    session.sendMessage(new TextMessage(json));
    if (Frames.HEARTBEAT.equals(op)) {
      // Browsers answer a protocol ping with a pong by themselves: that is how an idle dashboard
      // shows it is still there.
      session.sendMessage(new PingMessage());
    }
  }

  @Override
  public void flush() throws IOException {
    if (batching != null && session.isOpen()) {
      flushStartedMillis = System.currentTimeMillis();
      try {
        batching.flushBatch();
      } finally {
        flushStartedMillis = 0;
      }
    }
  }

  @Override
  public void close(Ending why) {
    CloseStatus status =
        switch (why) {
          case RESYNC -> RESYNC_CLOSE;
          case TOKEN_EXPIRED -> EXPIRED_CLOSE;
          default -> IDLE_CLOSE;
        };
    try {
      session.close(status);
    } catch (IOException e) {
      // Already gone: nothing to close.
    }
  }
}
