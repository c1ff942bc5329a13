package dev.agentfeed.archiver.api;

import dev.agentfeed.archiver.ArchiverProperties;
import dev.agentfeed.archiver.replay.ReplayCatalog;
import dev.agentfeed.archiver.replay.ReplayCodec;
import dev.agentfeed.archiver.replay.ReplayVerifier;
import dev.agentfeed.archiver.storage.ReplayStore;
import dev.agentfeed.archiver.storage.S3Clients;
import dev.agentfeed.common.security.BearerTokenSecurity;
import dev.agentfeed.common.security.Scope;
import dev.agentfeed.model.EventCodec;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import tools.jackson.databind.json.JsonMapper;

/**
 * The auditor API's parts: the catalog over the replay bucket, the URL signer, and who may call
 * what. Health is open (probes carry no token); the replays need the {@code audit} scope, and which
 * org's replays a caller sees comes from the token alone.
 */
@Configuration(proxyBeanMethods = false)
class ReplayApiConfiguration {

  @Bean
  ReplayCatalog replayCatalog(ReplayStore store, ReplayCodec replayCodec) {
    return new ReplayCatalog(store, replayCodec);
  }

  @Bean
  ReplayVerifier replayVerifier(ReplayStore store, ReplayCodec replayCodec, EventCodec eventCodec) {
    return new ReplayVerifier(store, replayCodec, eventCodec.mapper());
  }

  @Bean(destroyMethod = "close")
  S3Presigner replayPresigner(ArchiverProperties properties) {
    return S3Clients.presigner(properties.s3());
  }

  @Bean
  SecurityFilterChain archiverSecurity(
      HttpSecurity http, JsonMapper jsonMapper, ArchiverProperties properties) {
    List<String> origins = properties.cors().allowedOrigins();
    if (!origins.isEmpty()) {
      // Preflights are answered before authentication; the token travels in a header, never a
      // cookie, so credentials stay off.
      CorsConfiguration cors = new CorsConfiguration();
      cors.setAllowedOrigins(origins);
      cors.setAllowedMethods(List.of("GET", "HEAD", "OPTIONS"));
      cors.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.ACCEPT));
      cors.setExposedHeaders(
          List.of("X-Replay-Manifest-Version", "X-Replay-Event-Count", HttpHeaders.RETRY_AFTER));
      cors.setMaxAge(Duration.ofHours(1));
      UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
      source.registerCorsConfiguration("/v1/replays", cors);
      source.registerCorsConfiguration("/v1/replays/**", cors);
      http.cors(c -> c.configurationSource(source));
    }
    BearerTokenSecurity.apply(http, jsonMapper)
        .authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers(EndpointRequest.to("health"))
                    .permitAll()
                    // Errors rendered by the container's error dispatch keep their own status.
                    .dispatcherTypeMatchers(DispatcherType.ERROR)
                    .permitAll()
                    .requestMatchers(HttpMethod.GET, "/v1/replays", "/v1/replays/**")
                    .hasAuthority(Scope.AUDIT.authority())
                    .anyRequest()
                    .authenticated());
    return http.build();
  }
}
