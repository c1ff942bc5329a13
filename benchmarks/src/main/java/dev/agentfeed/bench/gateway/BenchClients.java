package dev.agentfeed.bench.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Recorder;

/**
 * Dashboards for the benchmark: Netty WebSocket clients (RFC 6455 handshake with the bearer token,
 * then {@link DashboardHandler}), all of them on a few event-loop threads so that the clients cost
 * the gateway's machine little, each subscribed to one session (or the whole organisation). A
 * normal client reads everything; a slow one stops reading after its {@code subscribed} frame.
 */
final class BenchClients implements AutoCloseable {

  /** The name prefix of the clients' event-loop threads, by which their CPU time is told apart. */
  static final String THREAD_PREFIX = "bench-ws";

  // Connections opened at once: enough to connect 1,000 quickly, few enough not to swamp the
  // gateway's accept queue and handshake.
  private static final int CONNECT_BATCH = 100;
  private static final int MAX_MESSAGE_BYTES = 16 << 20;

  private final EventLoopGroup loops;
  // Pooled heap buffers for the frames: EventFrames reads a frame's array in place.
  private final ByteBufAllocator allocator = new PooledByteBufAllocator(false);
  private final List<Channel> channels = new ArrayList<>();
  private final Deliveries deliveries = new Deliveries();

  BenchClients(int threads, String name) {
    this.loops =
        new MultiThreadIoEventLoopGroup(
            threads,
            new DefaultThreadFactory(THREAD_PREFIX + "-" + name, true),
            NioIoHandler.newFactory());
  }

  /**
   * Connects {@code count} clients, client i (counting from {@code first}) to session i % sessions
   * (or to the whole organisation), and waits until they are all subscribed.
   */
  void connect(
      URI uri,
      String token,
      List<String> sessions,
      int first,
      int count,
      boolean slow,
      boolean orgWide)
      throws InterruptedException {
    HttpHeaders headers =
        new DefaultHttpHeaders().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
    WebSocketClientProtocolConfig protocol =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(uri)
            .version(WebSocketVersion.V13)
            .customHeaders(headers)
            .maxFramePayloadLength(MAX_MESSAGE_BYTES)
            // The close frame is the dashboard's to count and answer.
            .handleCloseFrames(false)
            // Browsers send an Origin; the JDK's client, which this replaces, did not.
            .generateOriginHeader(false)
            .handshakeTimeoutMillis(TimeUnit.SECONDS.toMillis(30))
            // EventFrames checks the UTF-8 of event frames, at a fraction of the cost.
            .withUTF8Validator(false)
            .build();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loops)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, allocator)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TimeUnit.SECONDS.toMillis(30));
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String session = sessions.get((first + i) % sessions.size());
      String subscribe =
          orgWide
              ? "{\"op\":\"subscribe\",\"id\":\"s\",\"orgWide\":true,\"from\":\"live\"}"
              : "{\"op\":\"subscribe\",\"id\":\"s\",\"sessionId\":\""
                  + session
                  + "\",\"from\":\"live\"}";
      CompletableFuture<Void> subscribed = new CompletableFuture<>();
      Channel channel =
          bootstrap
              .clone()
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new HttpClientCodec(),
                              new HttpObjectAggregator(64 * 1024),
                              new WebSocketClientProtocolHandler(protocol),
                              new WebSocketFrameAggregator(MAX_MESSAGE_BYTES),
                              new DashboardHandler(subscribe, slow, deliveries, subscribed));
                    }
                  })
              .connect(uri.getHost(), uri.getPort())
              .addListener(
                  f -> {
                    if (!f.isSuccess()) {
                      subscribed.completeExceptionally(f.cause());
                    }
                  })
              .channel();
      channels.add(channel);
      pending.add(subscribed);
      if (pending.size() >= CONNECT_BATCH) {
        awaitSubscribed(pending);
      }
    }
    awaitSubscribed(pending);
  }

  private static void awaitSubscribed(List<CompletableFuture<Void>> pending)
      throws InterruptedException {
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a client could not connect and subscribe", e.getCause());
    } catch (TimeoutException e) {
      long waiting = pending.stream().filter(f -> !f.isDone()).count();
      throw new IllegalStateException(waiting + " clients were never subscribed", e);
    }
    pending.clear();
  }

  long frames() {
    return deliveries.frames();
  }

  /** Events that skipped over seqs the client never got. */
  long gaps() {
    return deliveries.gaps();
  }

  /** Events that repeated or went back to a seq the client had already got. */
  long duplicates() {
    return deliveries.duplicates();
  }

  /** Event frames without a readable receivedAt and seq. */
  long malformed() {
    return deliveries.malformed();
  }

  long closedByServer() {
    return deliveries.closedByServer();
  }

  Recorder latency() {
    return deliveries.latency();
  }

  @Override
  public void close() throws InterruptedException {
    channels.forEach(Channel::close);
    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
  }
}
