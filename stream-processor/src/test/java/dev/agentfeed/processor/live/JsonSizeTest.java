package dev.agentfeed.processor.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.EventCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonSizeTest {

  private static final EventCodec CODEC = new EventCodec();

  @Test
  void shouldCountTheBytesTheCodecWritesForEveryKindOfCharacter() {
    List<String> texts =
        List.of(
            "",
            "plain ascii",
            "quote \" backslash \\ slash /",
            "new\nline\ttab\rcr\bbs\ffeed",
            "control \u0001\u001f del \u007f",
            "latin ü é, greek Ω, cjk 漢字",
            "emoji 😀 and a lone surrogate \ud800 end");

    assertThat(texts.stream().map(JsonSize::ofString).toList())
        .isEqualTo(
            texts.stream().map(t -> (long) CODEC.mapper().writeValueAsBytes(t).length).toList());
  }
}
