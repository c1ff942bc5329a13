package dev.agentfeed.deploy.kafka;

import dev.agentfeed.model.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline's topics ({@link Topics#all()}) that do not exist yet, before any service
 * starts, so that no service races another to create them. Existing topics are left as they are
 * (their partition count included). One replica each: the local broker is alone.
 */
public final class PipelineTopics {

  private static final Logger log = LoggerFactory.getLogger(PipelineTopics.class);
  private static final long TIMEOUT_SECONDS = 30;

  private PipelineTopics() {}

  /** Creates the missing topics and returns their names (empty when all existed). */
  public static List<String> createMissing(String bootstrapServers, Topics topics, int partitions)
      throws InterruptedException {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<NewTopic> missing =
          topics.all().stream()
              .filter(spec -> !existing.contains(spec.name()))
              .map(spec -> newTopic(spec, partitions))
              .toList();
      if (missing.isEmpty()) {
        return List.of();
      }
      try {
        admin.createTopics(missing).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
        log.debug("a topic was created meanwhile: {}", e.getCause().getMessage());
      }
      return missing.stream().map(NewTopic::name).toList();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot create the pipeline topics on " + bootstrapServers + ": " + e.getMessage(), e);
    }
  }

  private static NewTopic newTopic(Topics.TopicSpec spec, int partitions) {
    NewTopic topic = new NewTopic(spec.name(), partitions, (short) 1);
    return spec.compacted()
        ? topic.configs(
            Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))
        : topic;
  }
}
