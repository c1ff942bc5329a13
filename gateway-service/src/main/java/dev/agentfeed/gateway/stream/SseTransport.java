package dev.agentfeed.gateway.stream;

import java.io.IOException;
import java.time.Clock;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * An SSE response as an outbox's transport: each frame is one event named by its {@code op}, whose
 * data is the same JSON a WebSocket client gets and whose {@code id} is the frame's cursor (so the
 * browser's {@code EventSource} sends it back as {@code Last-Event-ID}); a heartbeat is a comment.
 */
final class SseTransport implements Transport {

  private final String id;
  private final SseEmitter emitter;
  private final Clock clock;
  private volatile long sendStartedMillis;

  SseTransport(String id, SseEmitter emitter, Clock clock) {
    this.id = id;
    this.emitter = emitter;
    this.clock = clock;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public long bufferedBytes() {
    return 0;
  }

  @Override
  public long timeSinceSendStarted() {
    long started = sendStartedMillis;
    return started == 0 ? 0 : clock.millis() - started;
  }

  @Override
  public void write(String op, String json, String cursor) throws IOException {
    SseEmitter.SseEventBuilder event;
    if (Frames.HEARTBEAT.equals(op)) {
      event = SseEmitter.event().comment(json);
    } else {
      event = SseEmitter.event().name(op).data(json, MediaType.APPLICATION_JSON);
      if (cursor != null) {
        event.id(cursor);
      }
    }
    sendStartedMillis = clock.millis();
    try {
      emitter.send(event);
    } finally {
      sendStartedMillis = 0;
    }
  }

  @Override
  public void close(Ending why) {
    try {
      emitter.complete();
    } catch (RuntimeException e) {
      // Already completed or the response is gone.
    }
  }
}
