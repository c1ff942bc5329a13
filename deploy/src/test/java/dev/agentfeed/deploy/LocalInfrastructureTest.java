package dev.agentfeed.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentfeed.deploy.kafka.KafkaBroker;
import dev.agentfeed.deploy.kafka.PipelineTopics;
import dev.agentfeed.deploy.process.ChildJvm;
import dev.agentfeed.deploy.s3.S3Endpoint;
import dev.agentfeed.model.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The stack's infrastructure from the launcher's own classes, without the services: the broker as a
 * child JVM and the S3 endpoint in-process, on free ports and a temporary data directory.
 */
class LocalInfrastructureTest {

  private static final Duration BROKER_TIMEOUT = Duration.ofSeconds(60);
  private static final String BUCKET = "agentfeed-replays";
  private static final String KEY = "replays/org=demo/date=2026-01-30/session=ses-1/manifest.json";
  private static final String OBJECT = "{\"events\":3}";
  private static final Topics TOPICS = Topics.withDefaultPrefix();

  @TempDir Path dataDir;

  @Test
  void shouldKeepTopicsRecordAndObjectAcrossRestartOnTheSameDataDir() throws Exception {
    ChildJvm jvm = ChildJvm.create(dataDir.resolve("run"));
    KafkaBroker.Settings kafkaSettings = kafkaSettings();
    S3Endpoint.Settings s3Settings = s3Settings();

    try (KafkaBroker broker = KafkaBroker.start(kafkaSettings, jvm, BROKER_TIMEOUT);
        S3Endpoint s3 = S3Endpoint.start(s3Settings)) {
      PipelineTopics.createMissing(broker.bootstrapServers(), TOPICS, 6);
      produce(broker.bootstrapServers(), TOPICS.raw(), "ses-1", "first");
      assertThat(consumeFromStart(broker.bootstrapServers(), TOPICS.raw()))
          .containsExactly("first");
      try (S3Client client = s3Client(s3.endpoint(), s3Settings.secretKey())) {
        client.putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromString(OBJECT));
        assertThat(client.getObjectAsBytes(b -> b.bucket(BUCKET).key(KEY)).asUtf8String())
            .isEqualTo(OBJECT);
      }
    }

    try (KafkaBroker broker = KafkaBroker.start(kafkaSettings, jvm, BROKER_TIMEOUT);
        S3Endpoint s3 = S3Endpoint.start(s3Settings)) {
      assertThat(topicNames(broker.bootstrapServers()))
          .containsAll(TOPICS.all().stream().map(Topics.TopicSpec::name).toList());
      assertThat(PipelineTopics.createMissing(broker.bootstrapServers(), TOPICS, 6)).isEmpty();
      assertThat(consumeFromStart(broker.bootstrapServers(), TOPICS.raw()))
          .containsExactly("first");
      try (S3Client client = s3Client(s3.endpoint(), s3Settings.secretKey())) {
        assertThat(client.getObjectAsBytes(b -> b.bucket(BUCKET).key(KEY)).asUtf8String())
            .isEqualTo(OBJECT);
      }
    }
  }

  @Test
  void shouldLeaveNoChildProcessAfterStop() throws Exception {
    ChildJvm jvm = ChildJvm.create(dataDir.resolve("run"));
    long brokerPid;
    try (KafkaBroker broker = KafkaBroker.start(kafkaSettings(), jvm, BROKER_TIMEOUT)) {
      brokerPid = broker.process().pid();
      assertThat(ProcessHandle.current().descendants().map(ProcessHandle::pid)).contains(brokerPid);
    }

    assertThat(ProcessHandle.of(brokerPid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void shouldCreateEveryPipelineTopicWithSixPartitionsAndCompactOnlyTheStats() throws Exception {
    ChildJvm jvm = ChildJvm.create(dataDir.resolve("run"));
    try (KafkaBroker broker = KafkaBroker.start(kafkaSettings(), jvm, BROKER_TIMEOUT);
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      List<String> created = PipelineTopics.createMissing(broker.bootstrapServers(), TOPICS, 6);

      List<String> names = TOPICS.all().stream().map(Topics.TopicSpec::name).toList();
      assertThat(created).containsExactlyElementsOf(names);
      Map<String, TopicDescription> descriptions =
          admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
      assertThat(descriptions.values())
          .allSatisfy(description -> assertThat(description.partitions()).hasSize(6));
      List<ConfigResource> resources =
          names.stream().map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
      Map<String, String> cleanupPolicies = new TreeMap<>();
      admin
          .describeConfigs(resources)
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach(
              (resource, config) ->
                  cleanupPolicies.put(
                      resource.name(), config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()));
      assertThat(cleanupPolicies)
          .isEqualTo(
              Map.of(
                  TOPICS.raw(), "delete",
                  TOPICS.enriched(), "delete",
                  TOPICS.feedLive(), "delete",
                  TOPICS.sessionsStats(), "compact",
                  TOPICS.statsOrgMinute(), "delete",
                  TOPICS.deadLetters(), "delete"));
    }
  }

  private KafkaBroker.Settings kafkaSettings() throws IOException {
    return new KafkaBroker.Settings(
        dataDir.resolve("kafka"), freePort(), freePort(), dataDir.resolve("logs/kafka.log"));
  }

  private S3Endpoint.Settings s3Settings() throws IOException {
    return new S3Endpoint.Settings(
        dataDir.resolve("s3"), freePort(), "agentfeed", "agentfeed-secret", BUCKET);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void produce(String bootstrap, String topic, String key, String value)
      throws Exception {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      producer.send(new ProducerRecord<>(topic, 0, key, value)).get(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> consumeFromStart(String bootstrap, String topic) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, String> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  values.add(record.value());
                }
                return !values.isEmpty();
              });
    }
    return values;
  }

  private static Set<String> topicNames(String bootstrap) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS);
    }
  }

  private static S3Client s3Client(URI endpoint, String secretKey) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("agentfeed", secretKey)))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }
}
