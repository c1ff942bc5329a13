package dev.agentfeed.processor;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The stream processor: a Kafka Streams application that reads {@code events.raw} and writes the
 * deduped, sequenced, tiered events to {@code events.enriched} and {@code feed.live} (both keyed by
 * sessionId). Its HTTP port serves only the actuator's health and info.
 *
 * <p>Security auto-configuration is excluded on purpose: the processor takes no requests from
 * users, so it needs no JWT secret, and its health must stay readable when it shares a classpath
 * with the HTTP services (the end-to-end test runs all four apps in one JVM). Exclusions of classes
 * that are not on the classpath are ignored.
 */
@SpringBootApplication(
    excludeName = {
      "dev.agentfeed.common.security.JwtAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
      "org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration",
      "org.springframework.boot.security.oauth2.server.resource.autoconfigure.web.OAuth2ResourceServerWebSecurityAutoConfiguration"
    })
@EnableConfigurationProperties(ProcessorProperties.class)
public class StreamProcessorApplication {

  /** The name of the config file, {@code stream-processor.yml}; four apps share one classpath. */
  public static final String CONFIG_NAME = "stream-processor";

  /** The application as {@code main} runs it; tests and the local stack start it the same way. */
  public static SpringApplication application() {
    SpringApplication application = new SpringApplication(StreamProcessorApplication.class);
    application.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
    return application;
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
