package dev.agentfeed.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The gateway writes frames as UTF-8 it encodes itself through Tomcat's endpoint, because Tomcat's
 * own string path costs most of the gateway's CPU under load. That path reaches into Tomcat's
 * internals; this fails when a Tomcat upgrade moves them, rather than the gateway silently falling
 * back to the slow path.
 */
class WebSocketTransportTest {

  @Test
  void shouldWriteEncodedTextOnTheTomcatTheGatewayShipsWith() {
    assertThat(WebSocketTransport.writesEncodedText()).isTrue();
  }
}
