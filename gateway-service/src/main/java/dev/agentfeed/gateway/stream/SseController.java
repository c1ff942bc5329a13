package dev.agentfeed.gateway.stream;

import dev.agentfeed.common.security.Caller;
import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.gateway.web.Problems;
import dev.agentfeed.gateway.web.SessionAccess;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /v1/sessions/{sessionId}/events}: one session's events as Server-Sent Events, for
 * clients that cannot use a WebSocket. The same subscription, cursors and slow-client protection as
 * the WebSocket: each event's {@code id} is its cursor, {@code Last-Event-ID} (sent by {@code
 * EventSource} on reconnect) resumes after it and wins over {@code from}. What cannot be served is
 * an RFC 9457 problem before the stream starts; another organisation's session is a 404.
 */
@RestController
class SseController {

  static final String SUBSCRIPTION_ID = "sse";

  private final Connections connections;
  private final SubscriptionService subscriptions;
  private final StreamThreads threads;
  private final Frames frames;
  private final GatewayProperties properties;
  private final StreamMetrics metrics;
  private final Clock clock;

  SseController(
      Connections connections,
      SubscriptionService subscriptions,
      StreamThreads threads,
      Frames frames,
      GatewayProperties properties,
      StreamMetrics metrics,
      Clock clock) {
    this.connections = connections;
    this.subscriptions = subscriptions;
    this.threads = threads;
    this.frames = frames;
    this.properties = properties;
    this.metrics = metrics;
    this.clock = clock;
  }

  @GetMapping(
      path = "/v1/sessions/{sessionId}/events",
      produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter events(
      @AuthenticationPrincipal Jwt jwt,
      @PathVariable String sessionId,
      @RequestParam(defaultValue = SubscribeRequest.LIVE) String from,
      @RequestParam(required = false) String types,
      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
    SessionAccess.authorize(jwt, sessionId);
    String start = lastEventId != null && !lastEventId.isBlank() ? lastEventId : from;
    List<String> typeList =
        types == null || types.isBlank()
            ? List.of()
            : Arrays.stream(types.split(",")).map(String::trim).toList();
    SubscribeRequest request =
        new SubscribeRequest(SUBSCRIPTION_ID, sessionId, null, false, start, typeList);
    // No timeout of its own: the connection lasts until the client goes, it falls behind, or its
    // token expires.
    SseEmitter emitter = new SseEmitter(0L);
    Connection connection =
        new Connection(
            Caller.of(jwt),
            jwt.getExpiresAt(),
            false,
            new SseTransport("sse-" + UUID.randomUUID(), emitter, clock),
            threads.senders(),
            threads.closers(),
            connections.budget(),
            frames,
            properties.sendTimeLimit(),
            metrics,
            clock.millis());
    try {
      subscriptions.subscribe(connection, request);
    } catch (ProtocolException e) {
      subscriptions.closeAll(connection);
      throw problem(e, sessionId);
    }
    connections.add(connection);
    Runnable gone =
        () -> {
          if (connections.remove(connection.id()) != null) {
            subscriptions.closeAll(connection);
          }
        };
    emitter.onCompletion(gone);
    emitter.onTimeout(gone);
    emitter.onError(e -> gone.run());
    TokenExpiry.watch(connection, threads, clock, metrics);
    return emitter;
  }

  private static RuntimeException problem(ProtocolException e, String sessionId) {
    if (e.code() == ErrorCode.FORBIDDEN) {
      return Problems.sessionNotFound(sessionId);
    }
    HttpStatus status =
        e.code() == ErrorCode.UNAVAILABLE || e.code() == ErrorCode.LIMIT_EXCEEDED
            ? HttpStatus.SERVICE_UNAVAILABLE
            : HttpStatus.BAD_REQUEST;
    return Problems.of(status, e.getMessage());
  }
}
