package dev.agentfeed.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class EventFramesTest {

  private static final String PREFIX =
      "{\"op\":\"event\",\"sub\":\"s\",\"cursor\":\"c1\",\"event\":{\"eventId\":\"e1\","
          + "\"type\":\"message.chunk\",\"orgId\":\"bench\",\"sessionId\":\"ses-1\","
          + "\"data\":{\"messageId\":\"m-1\",\"text\":\"h\u00e9llo \\\"seq\\\":9\"},";

  @Test
  void shouldReadReceivedAtWithMicrosecondFractionAndSeq() {
    ByteBuf frame = event("\"receivedAt\":\"2026-11-24T06:11:18.016123Z\",\"seq\":42,\"tier\":1}}");

    assertThat(EventFrames.fields(frame))
        .isEqualTo(new EventFrames.Fields(micros("2026-11-24T06:11:18.016123Z"), 42));
  }

  @Test
  void shouldReadReceivedAtWithoutFraction() {
    ByteBuf frame = event("\"receivedAt\":\"2026-11-24T06:11:18Z\",\"seq\":1}}");

    assertThat(EventFrames.fields(frame))
        .isEqualTo(new EventFrames.Fields(micros("2026-11-24T06:11:18Z"), 1));
  }

  @Test
  void shouldReadShortFractionAsMilliseconds() {
    ByteBuf frame = event("\"receivedAt\":\"2026-11-24T06:11:18.5Z\",\"seq\":7}}");

    assertThat(EventFrames.fields(frame))
        .isEqualTo(new EventFrames.Fields(micros("2026-11-24T06:11:18.500Z"), 7));
  }

  @Test
  void shouldDropDigitsPastTheMicrosecond() {
    ByteBuf frame = event("\"receivedAt\":\"2026-02-28T23:59:59.123456789Z\",\"seq\":3}}");

    assertThat(EventFrames.fields(frame))
        .isEqualTo(new EventFrames.Fields(micros("2026-02-28T23:59:59.123456Z"), 3));
  }

  @Test
  void shouldReadFieldsFromASliceOfALargerBuffer() {
    byte[] frame =
        (PREFIX + "\"receivedAt\":\"2026-11-24T06:11:18.000001Z\",\"seq\":1234567890123}}")
            .getBytes(StandardCharsets.UTF_8);
    ByteBuf buffer = Unpooled.buffer();
    buffer.writeBytes("garbage before".getBytes(StandardCharsets.US_ASCII));
    buffer.writeBytes(frame);
    buffer.writeBytes("\"seq\":5 after".getBytes(StandardCharsets.US_ASCII));
    ByteBuf slice = buffer.slice(14, frame.length);

    assertThat(EventFrames.fields(slice))
        .isEqualTo(
            new EventFrames.Fields(micros("2026-11-24T06:11:18.000001Z"), 1_234_567_890_123L));
  }

  @Test
  void shouldReadFieldsFromADirectBuffer() {
    byte[] frame =
        (PREFIX + "\"receivedAt\":\"2026-11-24T06:11:18.25Z\",\"seq\":9}}")
            .getBytes(StandardCharsets.UTF_8);
    ByteBuf direct = Unpooled.directBuffer(frame.length).writeBytes(frame);

    assertThat(EventFrames.fields(direct))
        .isEqualTo(new EventFrames.Fields(micros("2026-11-24T06:11:18.250Z"), 9));
    direct.release();
  }

  @Test
  void shouldRejectAFrameWithoutReceivedAt() {
    assertThat(EventFrames.fields(event("\"seq\":42,\"tier\":1}}"))).isNull();
  }

  @Test
  void shouldRejectAFrameWithoutSeq() {
    assertThat(EventFrames.fields(event("\"receivedAt\":\"2026-11-24T06:11:18Z\",\"tier\":1}}")))
        .isNull();
  }

  @Test
  void shouldRejectASeqWithoutDigits() {
    assertThat(EventFrames.fields(event("\"receivedAt\":\"2026-11-24T06:11:18Z\",\"seq\":null}}")))
        .isNull();
  }

  @Test
  void shouldRejectAnInstantWithoutZone() {
    assertThat(EventFrames.fields(event("\"receivedAt\":\"2026-11-24T06:11:18.016\",\"seq\":1}}")))
        .isNull();
  }

  @Test
  void shouldRejectAnImpossibleDate() {
    assertThat(EventFrames.fields(event("\"receivedAt\":\"2026-13-24T06:11:18Z\",\"seq\":1}}")))
        .isNull();
  }

  @Test
  void shouldRejectLettersWhereDigitsBelong() {
    assertThat(EventFrames.fields(event("\"receivedAt\":\"2026-11-2xT06:11:18Z\",\"seq\":1}}")))
        .isNull();
  }

  @Test
  void shouldRejectAnInstantCutShortByTheEndOfTheFrame() {
    assertThat(EventFrames.fields(event("\"seq\":1,\"receivedAt\":\"2026-11-24T06:1"))).isNull();
  }

  @Test
  void shouldTellEventAndSubscribedFramesFromOthers() {
    ByteBuf event = event("\"receivedAt\":\"2026-11-24T06:11:18Z\",\"seq\":1}}");
    ByteBuf subscribed = ascii("{\"op\":\"subscribed\",\"id\":\"s\",\"cursor\":\"c0\"}");
    ByteBuf heartbeat = ascii("{\"op\":\"heartbeat\",\"serverTime\":\"2026-11-24T06:11:18Z\"}");
    ByteBuf tooShort = ascii("{\"op\":\"ev");

    assertThat(
            new boolean[] {
              EventFrames.isEvent(event),
              EventFrames.isSubscribed(event),
              EventFrames.isEvent(subscribed),
              EventFrames.isSubscribed(subscribed),
              EventFrames.isEvent(heartbeat),
              EventFrames.isSubscribed(heartbeat),
              EventFrames.isEvent(tooShort)
            })
        .containsExactly(true, false, false, true, false, false, false);
  }

  private static ByteBuf event(String tail) {
    return Unpooled.wrappedBuffer((PREFIX + tail).getBytes(StandardCharsets.UTF_8));
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static long micros(String instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse(instant));
  }
}
