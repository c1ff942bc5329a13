package dev.agentfeed.gateway.security;

import dev.agentfeed.common.security.BearerTokenSecurity;
import dev.agentfeed.common.security.Scope;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every request needs a bearer JWT; the stream needs the {@code read} scope. The token may come in
 * the {@code Authorization} header or, because browsers cannot set headers on a WebSocket, in the
 * {@code access_token} query parameter of the GET handshake (the only method that allows it). The
 * health endpoints are open, for probes.
 */
@Configuration(proxyBeanMethods = false)
class StreamSecurityConfiguration {

  @Bean
  SecurityFilterChain gatewaySecurity(HttpSecurity http, JsonMapper mapper) throws Exception {
    DefaultBearerTokenResolver tokens = new DefaultBearerTokenResolver();
    tokens.setAllowUriQueryParameter(true);
    BearerTokenSecurity.apply(http, mapper)
        .oauth2ResourceServer(oauth -> oauth.bearerTokenResolver(tokens))
        .authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers("/actuator/health", "/actuator/health/**")
                    .permitAll()
                    .requestMatchers("/v1/stream")
                    .hasAuthority(Scope.READ.authority())
                    .anyRequest()
                    .authenticated());
    return http.build();
  }
}
