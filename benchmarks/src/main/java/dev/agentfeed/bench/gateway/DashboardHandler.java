package dev.agentfeed.bench.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One benchmark dashboard on its WebSocket, after Netty's handshake (RFC 6455, which answers pings
 * too) and after its frame aggregator (which joins a message sent in several frames): sends its
 * subscribe frame once the handshake is done, completes {@code subscribed} with the server's {@code
 * subscribed} frame, and then, per event frame, records the time from the event's {@code
 * receivedAt} to its arrival and checks that the events follow on seq by seq (no gap, no
 * duplicate). A slow dashboard stops reading from its socket after the {@code subscribed} frame, so
 * that the server's buffer for it fills up.
 */
final class DashboardHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

  private final String subscribe;
  private final boolean slow;
  private final Deliveries deliveries;
  private final CompletableFuture<Void> subscribed;
  // The seq of the last event received: a live subscription's events must follow on by one.
  private long lastSeq = -1;
  private boolean closeReceived;

  DashboardHandler(
      String subscribe, boolean slow, Deliveries deliveries, CompletableFuture<Void> subscribed) {
    this.subscribe = subscribe;
    this.slow = slow;
    this.deliveries = deliveries;
    this.subscribed = subscribed;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      composeFramesAcrossReads(ctx);
      ctx.writeAndFlush(new TextWebSocketFrame(subscribe))
          .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    } else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
      fail(ctx, new IllegalStateException("the WebSocket handshake timed out"));
    }
    super.userEventTriggered(ctx, event);
  }

  /**
   * A frame that a socket read cuts in two waits for the next read. Netty's default merges the two
   * reads into one growing buffer; with 1,000 connections that reallocated (and zeroed) pooled
   * memory all the time, a fifth of the clients' CPU. Composing the reads copies nothing.
   */
  private static void composeFramesAcrossReads(ChannelHandlerContext ctx) {
    for (Map.Entry<String, ChannelHandler> handler : ctx.pipeline()) {
      if (handler.getValue() instanceof WebSocketFrameDecoder
          && handler.getValue() instanceof ByteToMessageDecoder decoder) {
        decoder.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
      }
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame) {
      onText(ctx, frame.content());
    } else if (frame instanceof CloseWebSocketFrame) {
      onClose(ctx, frame);
    }
    // Binary frames are not part of the protocol; pings are answered and pongs dropped by Netty.
  }

  private void onText(ChannelHandlerContext ctx, ByteBuf text) {
    if (!subscribed.isDone() && EventFrames.isSubscribed(text)) {
      subscribed.complete(null);
      if (slow) {
        // From here on nothing is read from the socket: the kernel's buffers fill, then the
        // gateway's outbound queue, and the gateway must cut this client off.
        ctx.channel().config().setAutoRead(false);
      }
    } else if (EventFrames.isEvent(text)) {
      deliveries.countFrame();
      onEvent(text);
    }
  }

  private void onEvent(ByteBuf frame) {
    long nowMicros = nowMicros();
    EventFrames.Fields fields = EventFrames.fields(frame);
    if (fields == null) {
      deliveries.countMalformed();
      return;
    }
    long seq = fields.seq();
    if (lastSeq >= 0 && seq != lastSeq + 1) {
      if (seq <= lastSeq) {
        deliveries.countDuplicate();
      } else {
        deliveries.countGap();
      }
    }
    lastSeq = Math.max(lastSeq, seq);
    deliveries.recordLatency(nowMicros - fields.receivedAtMicros());
  }

  /** The server ends the connection: answer its close frame (RFC 6455 5.5.1), then close. */
  private void onClose(ChannelHandlerContext ctx, WebSocketFrame close) {
    if (closeReceived) {
      return;
    }
    closeReceived = true;
    deliveries.countClosedByServer();
    subscribed.completeExceptionally(
        new IllegalStateException("the server closed the connection before it was subscribed"));
    ctx.writeAndFlush(close.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    subscribed.completeExceptionally(
        new IllegalStateException("the connection closed before it was subscribed"));
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, cause);
    ctx.close();
  }

  /** Fails the subscription if it is still pending (a no-op once subscribed). */
  private void fail(ChannelHandlerContext ctx, Throwable cause) {
    if (subscribed.completeExceptionally(cause)) {
      ctx.close();
    }
  }

  private static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }
}
