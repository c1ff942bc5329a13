package dev.agentfeed.gateway;

import java.time.Clock;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The dashboard gateway: reads {@code feed.live} (key sessionId) with its own assign-based consumer
 * and fans the events out over WebSocket at {@code /v1/stream}, one subscription per (org,
 * session), with history, live following and resume from a cursor. It writes nothing to Kafka.
 */
@SpringBootApplication
@EnableConfigurationProperties(GatewayProperties.class)
public class GatewayApplication {

  /**
   * The config file is {@code gateway-service.yml}, so that four services can share a classpath.
   */
  public static final String CONFIG_NAME = "gateway-service";

  public static SpringApplication application() {
    SpringApplication application = new SpringApplication(GatewayApplication.class);
    application.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
    return application;
  }

  public static void main(String[] args) {
    application().run(args);
  }

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }
}
