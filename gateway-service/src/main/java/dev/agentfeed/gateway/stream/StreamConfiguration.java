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

  /** The largest client frame, in characters; a larger one closes the connection (1009). */
  static final int MAX_CLIENT_FRAME_CHARS = 4096;

  /**
   * Client frames are small JSON (at most 8 KiB, see the protocol) and never binary; the
   * container's per-connection message buffers are sized to that, which is most of what an idle
   * connection costs.
   */
  @Bean
  ServletServerContainerFactoryBean webSocketContainer() {
    ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
    container.setMaxTextMessageBufferSize(MAX_CLIENT_FRAME_CHARS);
    container.setMaxBinaryMessageBufferSize(256);
    return container;
  }

  /**
   * Tomcat's per-connection socket buffers are on the heap and 8 KiB each by default; a dashboard
   * connection sends little and gets frames that are mostly well under 4 KiB, so 4 KiB each halves
   * what every open connection holds at no cost in throughput.
   */
  @Bean
  TomcatConnectorCustomizer smallSocketBuffers() {
    return connector -> {
      connector.setProperty("socket.appReadBufSize", "4096");
      connector.setProperty("socket.appWriteBufSize", "4096");
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
  Connections streamConnections(MeterRegistry meters) {
    Connections connections = new Connections();
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
