package dev.agentfeed.gateway.stream;

import java.io.IOException;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/** A WebSocket session as an outbox's transport: every frame is one text message. */
final class WebSocketTransport implements Transport {

  static final CloseStatus RESYNC_CLOSE = CloseStatus.SESSION_NOT_RELIABLE.withReason("resync");
  static final CloseStatus EXPIRED_CLOSE = CloseStatus.POLICY_VIOLATION.withReason("token expired");
  static final CloseStatus IDLE_CLOSE = CloseStatus.GOING_AWAY.withReason("idle");

  private final ConcurrentWebSocketSessionDecorator session;

  WebSocketTransport(ConcurrentWebSocketSessionDecorator session) {
    this.session = session;
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
    return session.getTimeSinceSendStarted();
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
