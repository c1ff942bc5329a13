package dev.agentfeed.client.testing;

import static org.awaitility.Awaitility.await;

import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.ingest.IngestApplication;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Topics;
import dev.agentfeed.testing.KafkaTestBroker;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * The real ingest service on a real in-process broker, started the way the service's own main
 * starts it, with a way to read back what reached {@code events.raw}. Shared with the CLI's
 * forwarder tests through this module's test jar.
 */
public final class LocalIngest implements AutoCloseable {

  public static final String SECRET = "client-test-secret-0123456789abcdef-0123456789";

  private final EmbeddedKafkaBroker broker;
  private final ConfigurableApplicationContext app;
  private final TokenMinter minter = new TokenMinter(SECRET, Clock.systemUTC());
  private final EventCodec codec = new EventCodec();

  /** Starts a broker and the service with these extra properties ({@code name=value}). */
  public LocalIngest(String... properties) {
    broker = KafkaTestBroker.start(2);
    app =
        IngestApplication.application()
            .run(
                Stream.concat(
                        Stream.of(
                            "--server.port=0",
                            "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                            "--agentfeed.security.jwt.secret=" + SECRET,
                            "--agentfeed.topics.partitions=2"),
                        Stream.of(properties).map(p -> "--" + p))
                    .toArray(String[]::new));
  }

  public URI uri() {
    return URI.create(
        "http://localhost:" + app.getEnvironment().getRequiredProperty("local.server.port"));
  }

  public String token(String org) {
    return minter.mint(org, List.of(Scope.INGEST), null, Duration.ofMinutes(30));
  }

  /** The events of events.raw keyed by {@code session}, in order, once {@code complete} holds. */
  public List<EventEnvelope> stored(String session, Predicate<List<EventEnvelope>> complete) {
    List<EventEnvelope> stored = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      String topic = Topics.withDefaultPrefix().raw();
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> record :
                    consumer.poll(Duration.ofMillis(100))) {
                  if (session.equals(record.key())) {
                    stored.add(codec.fromBytes(record.value()));
                  }
                }
                return complete.test(stored);
              });
    }
    return stored;
  }

  @Override
  public void close() {
    app.close();
    broker.destroy();
  }
}
