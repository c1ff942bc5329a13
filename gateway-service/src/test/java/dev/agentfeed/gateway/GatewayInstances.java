package dev.agentfeed.gateway;

import static org.awaitility.Awaitility.await;

import dev.agentfeed.gateway.feed.FeedReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * Gateway instances side by side and one after another on one broker, configured as a deployment of
 * several would be: the same JWT secret and the same cursor key ({@link #CURSOR_SECRET}), and
 * nothing else shared. What the scale-out and restart tests start and stop; {@link #close} stops
 * those still running.
 */
final class GatewayInstances implements AutoCloseable {

  static final String CURSOR_SECRET = "test-only-shared-cursor-secret-0123456789";

  private final EmbeddedKafkaBroker broker;
  private final List<ConfigurableApplicationContext> running = new ArrayList<>();

  GatewayInstances(EmbeddedKafkaBroker broker) {
    this.broker = broker;
  }

  /** Starts an instance and returns once it has followed {@code feed.live} to its end. */
  ConfigurableApplicationContext start() {
    ConfigurableApplicationContext gateway =
        GatewayApplication.application()
            .run(
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                "--agentfeed.security.jwt.secret=" + TestGateway.SECRET,
                "--agentfeed.gateway.cursor-secret=" + CURSOR_SECRET,
                "--agentfeed.gateway.heartbeat-interval=1s",
                // An SSE stream the test closed is noticed only at the next write; a graceful
                // shutdown would wait for it.
                "--server.shutdown=immediate");
    running.add(gateway);
    await().atMost(StreamClient.WAIT).until(gateway.getBean(FeedReader.class)::caughtUp);
    return gateway;
  }

  /** Stops an instance, as a restart or a failure would. */
  void stop(ConfigurableApplicationContext gateway) {
    gateway.close();
    running.remove(gateway);
  }

  static URI base(ConfigurableApplicationContext gateway) {
    int port = gateway.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    return URI.create("http://localhost:" + port);
  }

  static URI stream(ConfigurableApplicationContext gateway) {
    return URI.create(base(gateway).toString().replace("http:", "ws:") + "/v1/stream");
  }

  @Override
  public void close() {
    List.copyOf(running).forEach(this::stop);
  }
}
