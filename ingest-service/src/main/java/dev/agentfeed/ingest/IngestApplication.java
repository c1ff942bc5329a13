package dev.agentfeed.ingest;

import java.time.Clock;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The ingest service: sandboxes POST events to {@code /v1/events}; each accepted event is written
 * to {@code events.raw} keyed by its sessionId, and the answer is sent only once Kafka has
 * acknowledged it. Its configuration file is {@code ingest-service.yml}, so that it can share a
 * classpath with the other services.
 */
@SpringBootApplication
@EnableConfigurationProperties(IngestProperties.class)
public class IngestApplication {

  /** The name of this service's configuration file (without extension). */
  public static final String CONFIG_NAME = "ingest-service";

  /** The application with its own configuration file; tests and the local stack start it so. */
  public static SpringApplication application() {
    SpringApplication application = new SpringApplication(IngestApplication.class);
    application.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
    // Started from a test or a launcher, the log still names this service.
    application.setMainApplicationClass(IngestApplication.class);
    return application;
  }

  public static void main(String[] args) {
    application().run(args);
  }

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }
}
