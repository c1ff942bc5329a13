package dev.agentfeed.archiver;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The archiver: reads {@code events.enriched} (key sessionId) and writes every finished session to
 * S3 as a gzip JSON-lines replay with a manifest, committing offsets only for what S3 holds.
 */
@SpringBootApplication
@EnableConfigurationProperties(ArchiverProperties.class)
public class ArchiverApplication {

  /** The module's config file is {@code archiver.yml}, so four apps can share one classpath. */
  public static final String CONFIG_NAME = "archiver";

  public static SpringApplication application() {
    SpringApplication application = new SpringApplication(ArchiverApplication.class);
    application.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
    return application;
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
