package dev.agentfeed.gateway.stream;

import dev.agentfeed.common.security.JwtProperties;
import dev.agentfeed.gateway.GatewayProperties;
import dev.agentfeed.gateway.feed.FeedReader;
import dev.agentfeed.gateway.feed.HistoryReader;
import dev.agentfeed.gateway.feed.SessionDirectory;
import dev.agentfeed.model.EventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/** Wires the WebSocket endpoint {@code /v1/stream} (raw WebSocket, not STOMP). */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class StreamConfiguration {

  static final String PATH = "/v1/stream";

  @Bean
  StreamThreads streamThreads(GatewayProperties properties) {
    return new StreamThreads(properties);
  }

  @Bean
  Connections streamConnections(MeterRegistry meters) {
    Connections connections = new Connections();
    Gauge.builder("agentfeed.gateway.connections", connections, Connections::size)
        .description("Open WebSocket connections")
        .register(meters);
    Gauge.builder("agentfeed.gateway.subscriptions", connections, Connections::subscriptions)
        .description("Subscriptions of the open connections")
        .register(meters);
    return connections;
  }

  @Bean
  Heartbeats streamHeartbeats(
      Connections connections, EventCodec codec, Clock clock, GatewayProperties properties) {
    return new Heartbeats(connections, new Frames(codec.mapper()), clock, properties);
  }

  @Bean
  WebSocketConfigurer streamEndpoint(
      Connections connections,
      StreamThreads threads,
      FeedReader reader,
      HistoryReader history,
      SessionDirectory directory,
      EventCodec codec,
      GatewayProperties properties,
      JwtProperties jwt,
      MeterRegistry meters) {
    Frames frames = new Frames(codec.mapper());
    CursorCodec cursors = new CursorCodec(CursorKeys.resolve(properties, jwt));
    SubscriptionService subscriptions =
        new SubscriptionService(
            reader, history, directory, cursors, frames, threads.replays(), properties);
    Counter resyncs =
        Counter.builder("agentfeed.gateway.resyncs")
            .description("Connections closed with resync_required because they fell behind")
            .register(meters);
    StreamHandler handler =
        new StreamHandler(
            connections,
            subscriptions,
            new ClientFrames(codec.mapper()),
            frames,
            cursors,
            threads.senders(),
            properties,
            resyncs::increment);
    return (WebSocketHandlerRegistry registry) ->
        registry
            .addHandler(handler, PATH)
            .addInterceptors(new CallerHandshakeInterceptor())
            .setAllowedOriginPatterns(properties.allowedOrigins().toArray(String[]::new));
  }
}
