package dev.agentfeed.gateway.stream;

import dev.agentfeed.common.security.JwtProperties;
import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.gateway.feed.FeedReader;
import dev.agentfeed.gateway.feed.HistoryReader;
import dev.agentfeed.gateway.feed.SessionDirectory;
import dev.agentfeed.gateway.sessions.SessionIndex;
import dev.agentfeed.model.EventCodec;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/**
 * Wires the WebSocket endpoint {@code /v1/stream} (raw WebSocket, not STOMP) and the SSE endpoint,
 * which share subscriptions, cursors and outboxes.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class StreamConfiguration {

  static final String PATH = "/v1/stream";

  /**
   * The largest client frame the gateway reads, in characters. The largest legitimate one is an
   * org-wide subscribe with a 128-character id and orgId, a cursor at the cursor codec's limit
   * (8192 characters, enough for several hundred partitions) and 64 type patterns of 64 characters
   * (4288 with quotes and commas): about 12,800 characters in compact JSON. 16 KiB leaves room for
   * whitespace. A longer frame is answered with a {@code bad_request} error and ignored; the
   * connection and its subscriptions stay.
   */
  static final int MAX_CLIENT_FRAME_CHARS = 16 * 1024;

  /**
   * What the container decodes a client frame into, per connection, in characters. Client frames
   * are small (a subscribe with a short cursor, a ping: a few hundred characters), so nearly all
   * fit in one piece; the handler takes partial messages and joins the pieces of a longer frame, up
   * to {@link #MAX_CLIENT_FRAME_CHARS}, in memory of its own that it holds only while such a frame
   * arrives. Sizing this buffer to the largest frame instead would cost 32 KiB per connection.
   */
  static final int CLIENT_FRAME_BUFFER_CHARS = 1024;

  /**
   * The container's per-connection incoming message buffers, most of what an idle connection costs:
   * the text one is {@link #CLIENT_FRAME_BUFFER_CHARS}; the binary one is at its minimum, as
   * clients send no binary frames (one is refused: the connection closes with 1003). Ping and pong
   * payloads use the container's separate control buffer. The outgoing buffers are not touched:
   * they batch the frames of one write.
   */
  @Bean
  ServletServerContainerFactoryBean webSocketContainer() {
    ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
    container.setMaxTextMessageBufferSize(CLIENT_FRAME_BUFFER_CHARS);
    container.setMaxBinaryMessageBufferSize(256);
    return container;
  }

  /**
   * Tomcat's per-connection socket buffers are on the heap, 8 KiB each by default. The read buffer
   * only takes what a client sends: WebSocket frames are read straight into the WebSocket layer's
   * own input buffer, and requests are small GETs and upgrades, so 1 KiB. WebSocket frames are
   * written from the WebSocket layer's output buffer with gathering writes that bypass the write
   * buffer, which serves HTTP responses and SSE events (one write per event, mostly under 2 KiB; a
   * larger one takes more than one system call), so 2 KiB.
   */
  @Bean
  TomcatConnectorCustomizer smallSocketBuffers() {
    return connector -> {
      connector.setProperty("socket.appReadBufSize", "1024");
      connector.setProperty("socket.appWriteBufSize", "2048");
    };
  }

  @Bean
  StreamThreads streamThreads(GatewayProperties properties) {
    return new StreamThreads(properties);
  }

  @Bean
  StreamMetrics streamMetrics(MeterRegistry meters, Clock clock) {
    return new StreamMetrics(meters, clock);
  }

  @Bean
  Frames streamFrames(EventCodec codec) {
    return new Frames(codec.mapper());
  }

  @Bean
  CursorCodec cursorCodec(GatewayProperties properties, JwtProperties jwt) {
    return new CursorCodec(CursorKeys.resolve(properties, jwt));
  }

  @Bean
  Connections streamConnections(MeterRegistry meters, GatewayProperties properties) {
    OutboundBudget budget =
        new OutboundBudget(
            properties.maxOutboundBuffer().toBytes(),
            properties.replayFillBytes(),
            properties.maxOutboundTotal().toBytes());
    Connections connections = new Connections(budget);
    Gauge.builder("agentfeed.gateway.outbound.queued", budget, OutboundBudget::queued)
        .description("Characters of frames queued for all connections, not yet written")
        .baseUnit("bytes")
        .register(meters);
    Gauge.builder("agentfeed.gateway.connections", connections, Connections::size)
        .description("Open WebSocket and SSE connections")
        .register(meters);
    Gauge.builder("agentfeed.gateway.subscriptions", connections, Connections::subscriptions)
        .description("Subscriptions of the open connections")
        .register(meters);
    return connections;
  }

  @Bean
  Heartbeats streamHeartbeats(
      Connections connections,
      Frames frames,
      StreamThreads threads,
      Clock clock,
      GatewayProperties properties) {
    return new Heartbeats(connections, frames, threads, clock, properties);
  }

  @Bean
  BlockedSenders blockedSenders(
      Connections connections, StreamThreads threads, MeterRegistry meters) {
    return new BlockedSenders(connections, threads, meters);
  }

  @Bean
  SubscriptionService subscriptionService(
      StreamThreads threads,
      FeedReader reader,
      HistoryReader history,
      SessionDirectory directory,
      SessionIndex index,
      CursorCodec cursors,
      Frames frames,
      GatewayProperties properties,
      StreamMetrics metrics) {
    return new SubscriptionService(
        reader, history, directory, index, cursors, frames, threads.replays(), properties, metrics);
  }

  @Bean
  WebSocketConfigurer streamEndpoint(
      Connections connections,
      StreamThreads threads,
      SubscriptionService subscriptions,
      Frames frames,
      EventCodec codec,
      GatewayProperties properties,
      StreamMetrics metrics,
      Clock clock) {
    StreamHandler handler =
        new StreamHandler(
            connections,
            subscriptions,
            new ClientFrames(codec.mapper()),
            frames,
            threads,
            properties,
            metrics,
            clock);
    return (WebSocketHandlerRegistry registry) ->
        registry
            .addHandler(handler, PATH)
            .addInterceptors(new CallerHandshakeInterceptor())
            .setAllowedOriginPatterns(properties.allowedOrigins().toArray(String[]::new));
  }
}
