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
 * Everything under {@code /v1} needs a bearer JWT with the {@code read} scope. The token may come
 * in the {@code Authorization} header or, because browsers can set no header on a WebSocket or an
 * {@code EventSource}, in the {@code access_token} query parameter of a GET. The dashboard's pages
 * and static assets are open (the page asks for a token and calls {@code /v1} with it), and so are
 * the health probes and the Prometheus scrape endpoint (no organisation's data is in either; keep
 * the management port private in production).
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
                    .requestMatchers(
                        "/actuator/health", "/actuator/health/**", "/actuator/prometheus")
                    .permitAll()
                    .requestMatchers(
                        "/",
                        "/index.html",
                        "/sessions/*",
                        "/replays/*",
                        "/assets/**",
                        "/webjars/**",
                        "/favicon.ico",
                        "/error")
                    .permitAll()
                    .requestMatchers("/v1/**")
                    .hasAuthority(Scope.READ.authority())
                    .anyRequest()
                    .authenticated());
    return http.build();
  }
}
