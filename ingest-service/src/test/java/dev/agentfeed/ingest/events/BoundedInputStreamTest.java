package dev.agentfeed.ingest.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class BoundedInputStreamTest {

  private static InputStream bounded(int bodyBytes, long limit) {
    return new BoundedInputStream(new ByteArrayInputStream(new byte[bodyBytes]), limit);
  }

  @Test
  void shouldPassABodyOfExactlyTheLimit() throws IOException {
    assertThat(bounded(100, 100).readAllBytes()).hasSize(100);
  }

  @Test
  void shouldDeliverTheLimitAndThenFailWhenMoreArrives() throws IOException {
    InputStream in = bounded(101, 100);

    assertThat(in.readNBytes(100)).hasSize(100);
    assertThatThrownBy(in::read)
        .isInstanceOf(BodyTooLargeException.class)
        .hasMessage("the body is larger than 100 bytes");
  }

  @Test
  void shouldFailABulkReadThatGoesPastTheLimit() {
    assertThatThrownBy(() -> bounded(1000, 100).readAllBytes())
        .isInstanceOf(BodyTooLargeException.class);
  }
}
