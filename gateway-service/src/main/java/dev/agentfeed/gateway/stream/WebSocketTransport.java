package dev.agentfeed.gateway.stream;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;

/**
 * A WebSocket session as an outbox's transport: every frame is one text message. Messages are
 * batched in the container's output buffer (Jakarta WebSocket batching, on a Tomcat session) and
 * {@link #flush() flushed} once the outbox has nothing more queued, so that a burst of N frames
 * costs about one socket write rather than N. The buffer is the one the container keeps for every
 * session anyway: batching adds no memory per connection.
 *
 * <p>Only the outbox's sender writes, one frame at a time, so frames go to the container's endpoint
 * directly, without Spring's concurrent-send decorator: its queue and locks would cost every frame
 * and every connection for nothing. What the decorator measured for stalled clients, how long the
 * send in progress has been blocked, is measured here.
 *
 * <p>On Tomcat a frame is written as UTF-8 bytes encoded by the JDK ({@link TomcatText}): Tomcat's
 * own {@code sendText(String)} encodes a string one character at a time, which took 40% of the
 * gateway's CPU with 1,000 clients.
 */
final class WebSocketTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);

  static final CloseStatus RESYNC_CLOSE = CloseStatus.SESSION_NOT_RELIABLE.withReason("resync");
  static final CloseStatus EXPIRED_CLOSE = CloseStatus.POLICY_VIOLATION.withReason("token expired");
  static final CloseStatus IDLE_CLOSE = CloseStatus.GOING_AWAY.withReason("idle");

  private static final ByteBuffer NO_PAYLOAD = ByteBuffer.allocate(0);

  private final WebSocketSession session;
  private final Frames frames;
  // Tomcat's endpoint, to write frames as encoded text; null where that is not available.
  private final TomcatText.Endpoint encodedText;
  // Null when the session is not a Jakarta WebSocket one, or batching could not be turned on: then
  // frames go through Spring's session, unbatched.
  private final RemoteEndpoint.Basic remote;
  // The Jakarta session under Spring's, for Tomcat's per-session settings; null elsewhere.
  private final Session jakartaSession;
  // Tomcat's endpoint for writes that do not block; null when they are not used.
  private final TomcatText.Endpoint nonBlocking;
  // When the write or flush in progress started (0: none), for closeIfStalled.
  private volatile long sendStartedMillis;

  // Tomcat's per-session setting: how long one blocking send may wait for the socket (its default
  // is 20 s).
  static final String BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

  // How long the close frame to a client that fell behind may wait for its socket.
  private static final long RESYNC_CLOSE_SEND_TIMEOUT_MS = 100;

  /**
   * @param sendTimeLimit how long one write may block; then it fails and the client is closed, so
   *     that a client that stopped reading holds a sender thread no longer than that
   */
  WebSocketTransport(WebSocketSession session, Frames frames, Duration sendTimeLimit) {
    this(session, frames, sendTimeLimit, false);
  }

  /**
   * @param nonBlocking write frames without blocking ({@link #startWrite}) where the container
   *     allows it (Tomcat); they are then not batched, as a batch is only pushed out by a blocking
   *     flush
   */
  WebSocketTransport(
      WebSocketSession session, Frames frames, Duration sendTimeLimit, boolean nonBlocking) {
    this.session = session;
    this.frames = frames;
    this.jakartaSession = jakartaSession(session);
    if (jakartaSession != null) {
      jakartaSession.getUserProperties().put(BLOCKING_SEND_TIMEOUT, sendTimeLimit.toMillis());
    }
    TomcatText.Endpoint endpoint = null;
    if (nonBlocking && jakartaSession != null) {
      RemoteEndpoint.Async async = jakartaSession.getAsyncRemote();
      // A write the socket takes nothing of for this long fails, and the client is closed.
      async.setSendTimeout(sendTimeLimit.toMillis());
      endpoint = TomcatText.endpoint(jakartaSession.getBasicRemote());
    }
    this.nonBlocking = endpoint;
    this.remote = endpoint != null ? null : batchingRemote(jakartaSession, session.getId());
    this.encodedText = remote == null ? endpoint : TomcatText.endpoint(remote);
  }

  /** Whether frames skip Tomcat's character encoder on this container (see {@link TomcatText}). */
  static boolean writesEncodedText() {
    return TomcatText.AVAILABLE;
  }

  private static Session jakartaSession(WebSocketSession session) {
    return WebSocketSessionDecorator.unwrap(session) instanceof NativeWebSocketSession nativeSession
            && nativeSession.getNativeSession() instanceof Session jakartaSession
        ? jakartaSession
        : null;
  }

  private static RemoteEndpoint.Basic batchingRemote(Session jakartaSession, String id) {
    if (jakartaSession == null) {
      return null;
    }
    try {
      RemoteEndpoint.Basic remote = jakartaSession.getBasicRemote();
      remote.setBatchingAllowed(true);
      return remote;
    } catch (IOException | RuntimeException e) {
      log.debug("No message batching on WebSocket session {}", id, e);
      return null;
    }
  }

  @Override
  public String id() {
    return session.getId();
  }

  @Override
  public long bufferedBytes() {
    // Nothing is queued below the outbox but the container's output buffer, a few KiB.
    return 0;
  }

  @Override
  public long timeSinceSendStarted() {
    long started = sendStartedMillis;
    return started == 0 ? 0 : System.currentTimeMillis() - started;
  }

  @Override
  public void write(String op, String json, String cursor) throws IOException {
    sendStartedMillis = System.currentTimeMillis();
    try {
      if (encodedText != null) {
        encodedText.sendText(frames.utf8(json));
      } else if (remote != null) {
        remote.sendText(json);
      } else {
        session.sendMessage(new TextMessage(json));
      }
      if (Frames.HEARTBEAT.equals(op)) {
        // Browsers answer a protocol ping with a pong by themselves: that is how an idle dashboard
        // shows it is still there.
        if (remote != null) {
          remote.sendPing(NO_PAYLOAD.duplicate());
        } else {
          session.sendMessage(new PingMessage());
        }
      }
    } finally {
      sendStartedMillis = 0;
    }
  }

  @Override
  public boolean writesWithoutBlocking() {
    return nonBlocking != null;
  }

  @Override
  public void startWrite(String op, String json, Consumer<Throwable> done) {
    sendStartedMillis = System.currentTimeMillis();
    SendHandler finish =
        result -> {
          sendStartedMillis = 0;
          done.accept(result.isOK() ? null : result.getException());
        };
    SendHandler afterText =
        Frames.HEARTBEAT.equals(op)
            // Browsers answer a protocol ping with a pong by themselves: that is how an idle
            // dashboard shows it is still there.
            ? result -> {
              if (result.isOK()) {
                nonBlocking.startPing(finish);
              } else {
                finish.onResult(result);
              }
            }
            : finish;
    nonBlocking.startText(frames.utf8(json), afterText);
  }

  @Override
  public void flush() throws IOException {
    if (remote != null && session.isOpen()) {
      sendStartedMillis = System.currentTimeMillis();
      try {
        remote.flushBatch();
      } finally {
        sendStartedMillis = 0;
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
    if (why == Ending.RESYNC && jakartaSession != null) {
      // The client fell behind or stalled: its socket is full, so the close frame would wait the
      // whole send timeout and hold this thread. Give it a moment only; then Tomcat closes the
      // socket, which also ends a write still blocked on it.
      jakartaSession.getUserProperties().put(BLOCKING_SEND_TIMEOUT, RESYNC_CLOSE_SEND_TIMEOUT_MS);
    }
    try {
      session.close(status);
    } catch (IOException e) {
      // Already gone: nothing to close.
    }
  }

  /**
   * Sends a text message whose UTF-8 bytes are already there, through Tomcat's endpoint: what its
   * public {@code sendBytes} does, with the text opcode and the text state. Tomcat has no public
   * way to send encoded text, and its {@code sendText} runs a per-character encoder over the
   * string; the JDK's {@code String.getBytes} is a bulk copy for the ASCII that frames mostly are.
   * Resolved once; where the container is not the Tomcat this was written for (another container, a
   * Tomcat whose internals changed), {@link #AVAILABLE} is false and frames go through {@code
   * sendText}. A test checks that it is available on the Tomcat the gateway ships with.
   */
  static final class TomcatText {

    private static final byte OPCODE_TEXT = 1;
    private static final MethodHandle BASE;
    private static final MethodHandle STATE;
    private static final MethodHandle TEXT_START;
    private static final MethodHandle COMPLETE;
    private static final MethodHandle SEND;
    private static final MethodHandle START;
    private static final byte OPCODE_PING = 9;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    static final boolean AVAILABLE;

    static {
      MethodHandle base = null;
      MethodHandle state = null;
      MethodHandle textStart = null;
      MethodHandle complete = null;
      MethodHandle send = null;
      MethodHandle start = null;
      try {
        ClassLoader loader = WebSocketTransport.class.getClassLoader();
        Class<?> remote =
            Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase", false, loader);
        Class<?> impl =
            Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", false, loader);
        Class<?> machine =
            Class.forName(
                "org.apache.tomcat.websocket.WsRemoteEndpointImplBase$StateMachine", false, loader);
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(impl, MethodHandles.lookup());
        MethodType object = MethodType.methodType(Object.class, Object.class);
        base = lookup.findGetter(remote, "base", impl).asType(object);
        state = lookup.findGetter(impl, "stateMachine", machine).asType(object);
        textStart =
            lookup
                .findVirtual(machine, "textStart", MethodType.methodType(void.class))
                .asType(MethodType.methodType(void.class, Object.class));
        complete =
            lookup
                .findVirtual(machine, "complete", MethodType.methodType(void.class, boolean.class))
                .asType(MethodType.methodType(void.class, Object.class, boolean.class));
        send =
            lookup
                .findVirtual(
                    impl,
                    "sendMessageBlock",
                    MethodType.methodType(void.class, byte.class, ByteBuffer.class, boolean.class))
                .asType(
                    MethodType.methodType(
                        void.class, Object.class, byte.class, ByteBuffer.class, boolean.class));
        start =
            lookup
                .findVirtual(
                    impl,
                    "startMessage",
                    MethodType.methodType(
                        void.class, byte.class, ByteBuffer.class, boolean.class, SendHandler.class))
                .asType(
                    MethodType.methodType(
                        void.class,
                        Object.class,
                        byte.class,
                        ByteBuffer.class,
                        boolean.class,
                        SendHandler.class));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        log.info("Frames go through the container's sendText: {}", e.toString());
        base = null;
      }
      BASE = base;
      STATE = state;
      TEXT_START = textStart;
      COMPLETE = complete;
      SEND = send;
      START = start;
      AVAILABLE = base != null;
    }

    private TomcatText() {}

    /** Tomcat's endpoint behind {@code remote}; null when it is not one. */
    static Endpoint endpoint(RemoteEndpoint.Basic remote) {
      if (!AVAILABLE) {
        return null;
      }
      try {
        Object endpoint = (Object) BASE.invokeExact((Object) remote);
        return new Endpoint(endpoint, (Object) STATE.invokeExact(endpoint));
      } catch (Throwable e) {
        // Not a Tomcat endpoint (ClassCastException): the public API it is.
        log.debug("No encoded text for {}", remote.getClass(), e);
        return null;
      }
    }

    /** One session's endpoint and the state machine that orders its messages. */
    record Endpoint(Object endpoint, Object stateMachine) {

      void sendText(byte[] utf8) throws IOException {
        try {
          TEXT_START.invokeExact(stateMachine);
          SEND.invokeExact(endpoint, OPCODE_TEXT, ByteBuffer.wrap(utf8), true);
          COMPLETE.invokeExact(stateMachine, true);
        } catch (IOException | RuntimeException | Error e) {
          throw e;
        } catch (Throwable e) {
          throw new IOException(e);
        }
      }

      /**
       * Starts a text message without blocking, as Tomcat's own {@code sendBytesByCompletion} does
       * for a binary one: its state machine enters the text state, and leaves it once the message
       * is written; {@code handler} runs then, or with the failure (also one thrown at once).
       */
      void startText(byte[] utf8, SendHandler handler) {
        try {
          TEXT_START.invokeExact(stateMachine);
        } catch (Throwable e) {
          handler.onResult(new SendResult(e));
          return;
        }
        start(
            OPCODE_TEXT,
            ByteBuffer.wrap(utf8),
            result -> {
              if (result.isOK()) {
                try {
                  COMPLETE.invokeExact(stateMachine, true);
                } catch (Throwable e) {
                  handler.onResult(new SendResult(e));
                  return;
                }
              }
              handler.onResult(result);
            });
      }

      /** Starts a ping (a control frame, outside the message state machine) without blocking. */
      void startPing(SendHandler handler) {
        start(OPCODE_PING, EMPTY.duplicate(), handler);
      }

      private void start(byte opcode, ByteBuffer payload, SendHandler handler) {
        try {
          START.invokeExact(endpoint, opcode, payload, true, handler);
        } catch (Throwable e) {
          handler.onResult(new SendResult(e));
        }
      }
    }
  }
}
