package dev.agentfeed.gateway.stream;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.gateway.GatewayProperties;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import tools.jackson.databind.JsonNode;

/**
 * The {@code /v1/stream} endpoint: reads client frames (subscribe, unsubscribe, ping) on the
 * WebSocket I/O thread and answers through the connection's outbox. A frame may arrive in pieces
 * (the container's per-connection message buffer is kept small); the pieces are joined up to a
 * limit, and a longer frame is an error. A frame that cannot be served gets an {@code error} frame;
 * it never closes the connection or touches its other subscriptions.
 */
final class StreamHandler extends TextWebSocketHandler {

  private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);

  private final Connections connections;
  private final SubscriptionService subscriptions;
  private final ClientFrames clientFrames;
  private final Frames frames;
  private final StreamThreads threads;
  private final GatewayProperties properties;
  private final StreamMetrics metrics;
  private final Clock clock;

  StreamHandler(
      Connections connections,
      SubscriptionService subscriptions,
      ClientFrames clientFrames,
      Frames frames,
      StreamThreads threads,
      GatewayProperties properties,
      StreamMetrics metrics,
      Clock clock) {
    this.connections = connections;
    this.subscriptions = subscriptions;
    this.clientFrames = clientFrames;
    this.frames = frames;
    this.threads = threads;
    this.properties = properties;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public void afterConnectionEstablished(WebSocketSession session) throws IOException {
    Object caller = session.getAttributes().get(CallerHandshakeInterceptor.CALLER_ATTRIBUTE);
    if (!(caller instanceof Caller known)) {
      session.close(CloseStatus.POLICY_VIOLATION.withReason("unauthenticated"));
      return;
    }
    Instant expiresAt =
        session.getAttributes().get(CallerHandshakeInterceptor.EXPIRES_ATTRIBUTE)
                instanceof Instant at
            ? at
            : null;
    Connection connection =
        new Connection(
            known,
            expiresAt,
            true,
            new WebSocketTransport(
                session, frames, properties.sendTimeLimit(), properties.nonBlockingSends()),
            threads.senders(),
            threads.closers(),
            connections.budget(),
            frames,
            properties.sendTimeLimit(),
            metrics,
            clock.millis());
    connections.add(connection);
    TokenExpiry.watch(connection, threads, clock, metrics);
    log.debug("WebSocket session {} opened for organisation {}", session.getId(), known.orgId());
  }

  @Override
  protected void handleTextMessage(WebSocketSession session, TextMessage message) {
    Connection connection = connections.get(session.getId());
    if (connection == null) {
      return;
    }
    connection.heard(clock.millis());
    JsonNode frame = null;
    try {
      String text =
          connection.assemble(
              message.getPayload(), message.isLast(), StreamConfiguration.MAX_CLIENT_FRAME_CHARS);
      if (text == null) {
        return;
      }
      frame = clientFrames.parse(text);
      String op = frame.get("op").stringValue();
      switch (op) {
        case "subscribe" -> subscriptions.subscribe(connection, clientFrames.subscribe(frame));
        case "unsubscribe" ->
            subscriptions.unsubscribe(connection, clientFrames.unsubscribe(frame));
        case "ping" -> connection.send(frames.pong(clientFrames.pingId(frame)));
        default ->
            throw new ProtocolException(
                ErrorCode.UNKNOWN_OP,
                "unknown op \"" + op + "\"; the ops are subscribe, unsubscribe and ping");
      }
    } catch (ProtocolException e) {
      connection.send(frames.error(ClientFrames.idOf(frame), e.code(), e.getMessage()));
    }
  }

  /**
   * Frames longer than the container's small message buffer arrive in pieces, which the connection
   * joins (see {@link StreamConfiguration#CLIENT_FRAME_BUFFER_CHARS}).
   */
  @Override
  public boolean supportsPartialMessages() {
    return true;
  }

  @Override
  protected void handlePongMessage(WebSocketSession session, PongMessage message) {
    Connection connection = connections.get(session.getId());
    if (connection != null) {
      connection.heard(clock.millis());
    }
  }

  @Override
  public void handleTransportError(WebSocketSession session, Throwable exception) {
    log.debug("Transport error on WebSocket session {}", session.getId(), exception);
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
    Connection connection = connections.remove(session.getId());
    if (connection != null) {
      subscriptions.closeAll(connection);
      log.debug("WebSocket session {} closed: {}", session.getId(), status);
    }
  }
}
