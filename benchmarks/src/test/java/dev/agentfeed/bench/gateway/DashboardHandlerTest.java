package dev.agentfeed.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's handling of server frames, on an {@link EmbeddedChannel} with Netty's frame
 * aggregator in front of it as in the benchmark (the handshake before it is Netty's own).
 */
class DashboardHandlerTest {

  private static final String SUBSCRIBE =
      "{\"op\":\"subscribe\",\"id\":\"s\",\"sessionId\":\"ses-1\",\"from\":\"live\"}";
  private static final String SUBSCRIBED = "{\"op\":\"subscribed\",\"id\":\"s\",\"cursor\":\"c0\"}";

  private final Deliveries deliveries = new Deliveries();
  private final CompletableFuture<Void> subscribed = new CompletableFuture<>();

  @Test
  void shouldSendTheSubscribeFrameOnceTheHandshakeIsDone() {
    EmbeddedChannel channel = dashboard(false);

    channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);

    TextWebSocketFrame sent = channel.readOutbound();
    assertThat(sent.text()).isEqualTo(SUBSCRIBE);
    sent.release();
  }

  @Test
  void shouldCompleteTheSubscriptionWithTheSubscribedFrame() {
    EmbeddedChannel channel = dashboard(false);

    channel.writeInbound(new TextWebSocketFrame(SUBSCRIBED));

    assertThat(subscribed).isCompleted();
  }

  @Test
  void shouldCountGapsAndDuplicatesBySeq() {
    EmbeddedChannel channel = subscribedDashboard(false);

    for (long seq : new long[] {1, 2, 4, 4, 3, 5}) {
      channel.writeInbound(new TextWebSocketFrame(event(seq)));
    }

    assertThat(tally()).containsExactly(6L, 1L, 2L, 0L, 0L);
    assertThat(deliveries.latency().getIntervalHistogram().getTotalCount()).isEqualTo(6);
  }

  @Test
  void shouldReadAnEventSentInSeveralFramesAsOne() {
    EmbeddedChannel channel = subscribedDashboard(false);
    String first = event(1);
    int cut1 = first.indexOf("receivedAt") + 20;
    int cut2 = first.indexOf("\"seq\"") + 4;

    channel.writeInbound(
        new TextWebSocketFrame(false, 0, utf8(first.substring(0, cut1))),
        new ContinuationWebSocketFrame(false, 0, utf8(first.substring(cut1, cut2))),
        new ContinuationWebSocketFrame(true, 0, utf8(first.substring(cut2))),
        new TextWebSocketFrame(event(2)));

    assertThat(tally()).containsExactly(2L, 0L, 0L, 0L, 0L);
  }

  @Test
  void shouldReadEventsThatSocketReadsCutAnywhere() {
    EmbeddedChannel channel =
        new EmbeddedChannel(
            new WebSocket13FrameDecoder(false, false, 1 << 20),
            new WebSocketFrameAggregator(1 << 20),
            new DashboardHandler(SUBSCRIBE, false, deliveries, subscribed));
    channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
    ((TextWebSocketFrame) channel.readOutbound()).release();
    ByteBuf wire = Unpooled.buffer();
    for (String text : List.of(SUBSCRIBED, event(1), event(2), event(3))) {
      byte[] payload = text.getBytes(StandardCharsets.UTF_8);
      // FIN + text, unmasked (server to client), the length in 7 or 7 + 16 bits.
      wire.writeByte(0x81);
      if (payload.length < 126) {
        wire.writeByte(payload.length);
      } else {
        wire.writeByte(126).writeShort(payload.length);
      }
      wire.writeBytes(payload);
    }

    // Cut into reads of 7 bytes: headers and payloads split across reads, frames share reads.
    while (wire.isReadable()) {
      channel.writeInbound(wire.readRetainedSlice(Math.min(7, wire.readableBytes())));
    }

    wire.release();
    assertThat(tally()).containsExactly(3L, 0L, 0L, 0L, 0L);
  }

  @Test
  void shouldCountAnEventFrameWithoutReceivedAtAsMalformed() {
    EmbeddedChannel channel = subscribedDashboard(false);

    channel.writeInbound(
        new TextWebSocketFrame("{\"op\":\"event\",\"sub\":\"s\",\"event\":{\"seq\":1}}"));

    assertThat(tally()).containsExactly(1L, 0L, 0L, 1L, 0L);
  }

  @Test
  void shouldCountAnEventFrameThatIsNotUtf8AsMalformed() {
    EmbeddedChannel channel = subscribedDashboard(false);
    byte[] event = event(1).replace("\"x\"", "\"\u00ff\"").getBytes(StandardCharsets.ISO_8859_1);

    channel.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(event)));

    assertThat(tally()).containsExactly(1L, 0L, 0L, 1L, 0L);
  }

  @Test
  void shouldIgnoreFramesThatAreNoEvents() {
    EmbeddedChannel channel = subscribedDashboard(false);

    channel.writeInbound(
        new TextWebSocketFrame("{\"op\":\"heartbeat\",\"serverTime\":\"2026-11-24T06:11:18Z\"}"),
        new TextWebSocketFrame(SUBSCRIBED));

    assertThat(tally()).containsExactly(0L, 0L, 0L, 0L, 0L);
  }

  @Test
  void shouldStopReadingFromTheSocketOnceSubscribedWhenSlow() {
    EmbeddedChannel channel = subscribedDashboard(true);

    assertThat(channel.config().isAutoRead()).isFalse();
  }

  @Test
  void shouldKeepReadingOnceSubscribedWhenNotSlow() {
    EmbeddedChannel channel = subscribedDashboard(false);

    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void shouldCountAndAnswerTheServersCloseFrame() {
    EmbeddedChannel channel = subscribedDashboard(false);

    channel.writeInbound(new CloseWebSocketFrame(1008, "too slow"));

    CloseWebSocketFrame answer = channel.readOutbound();
    assertThat(List.of(answer.statusCode(), answer.reasonText())).containsExactly(1008, "too slow");
    answer.release();
    assertThat(tally()).containsExactly(0L, 0L, 0L, 0L, 1L);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void shouldFailTheSubscriptionWhenTheServerClosesFirst() {
    EmbeddedChannel channel = dashboard(false);

    channel.writeInbound(new CloseWebSocketFrame(1008, "no"));

    assertThat(subscribed).isCompletedExceptionally();
  }

  private EmbeddedChannel dashboard(boolean slow) {
    return new EmbeddedChannel(
        new WebSocketFrameAggregator(1 << 20),
        new DashboardHandler(SUBSCRIBE, slow, deliveries, subscribed));
  }

  private EmbeddedChannel subscribedDashboard(boolean slow) {
    EmbeddedChannel channel = dashboard(slow);
    channel.writeInbound(new TextWebSocketFrame(SUBSCRIBED));
    return channel;
  }

  /** Frames, gaps, duplicates, malformed, closed by the server. */
  private List<Long> tally() {
    return List.of(
        deliveries.frames(),
        deliveries.gaps(),
        deliveries.duplicates(),
        deliveries.malformed(),
        deliveries.closedByServer());
  }

  private static String event(long seq) {
    return "{\"op\":\"event\",\"sub\":\"s\",\"cursor\":\"c"
        + seq
        + "\",\"event\":{\"eventId\":\"e"
        + seq
        + "\",\"data\":{\"text\":\"x\"},\"receivedAt\":\""
        + Instant.now()
        + "\",\"seq\":"
        + seq
        + ",\"tier\":1}}";
  }

  private static ByteBuf utf8(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }
}
