package dev.agentfeed.ingest.redaction;

import dev.agentfeed.ingest.IngestProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link SecretRedactor} of the service, with the configured extra kinds and a counter per kind
 * in {@code agentfeed.ingest.redactions} (tag {@code kind}), registered at start so that a kind
 * never seen reads 0 rather than missing.
 */
@Configuration(proxyBeanMethods = false)
class RedactionConfiguration {

  static final String METER = "agentfeed.ingest.redactions";

  @Bean
  SecretRedactor secretRedactor(IngestProperties properties, MeterRegistry registry) {
    Map<String, Counter> counters = new ConcurrentHashMap<>();
    SecretRedactor redactor =
        new SecretRedactor(
            properties.redaction().extraPatterns(),
            kind -> counters.computeIfAbsent(kind, k -> counter(registry, k)).increment());
    redactor.kinds().forEach(kind -> counters.computeIfAbsent(kind, k -> counter(registry, k)));
    return redactor;
  }

  private static Counter counter(MeterRegistry registry, String kind) {
    return Counter.builder(METER)
        .tag("kind", kind)
        .description("secrets replaced by a marker in events before they were stored")
        .register(registry);
  }
}
