package dev.agentfeed.gateway.security;

import dev.agentfeed.common.security.BearerTokenSecurity;
import dev.agentfeed.common.security.Scope;
import java.util.Arrays;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything under {@code /v1} needs a bearer JWT with the {@code read} scope. The token may come
 * in the {@code Authorization} header or, because browsers can set no header on a WebSocket or an
 * {@code EventSource}, in the {@code access_token} query parameter of a GET. The dashboard's pages
 * and static assets are open (the page asks for a token and calls {@code /v1} with it), and so are
 * the health probes and the Prometheus scrape endpoint (no organisation's data is in either; keep
 * the management port private in production).
 *
 * <p>On the open paths a token is not even looked at: a dashboard link carries its token as {@code
 * ?access_token=}, and an expired or invalid one must still get the page (which then asks for a new
 * token), not a 401 from the resource server validating a token nobody needed.
 */
@Configuration(proxyBeanMethods = false)
class StreamSecurityConfiguration {

  private static final String[] OPEN_PATHS = {
    "/actuator/health",
    "/actuator/health/**",
    "/actuator/prometheus",
    "/",
    "/index.html",
    "/sessions/**",
    "/replays/**",
    "/assets/**",
    "/webjars/**",
    "/favicon.ico",
    "/error"
  };

  @Bean
  SecurityFilterChain gatewaySecurity(HttpSecurity http, JsonMapper mapper) throws Exception {
    RequestMatcher open =
        new OrRequestMatcher(
            Arrays.stream(OPEN_PATHS)
                .map(
                    path -> (RequestMatcher) PathPatternRequestMatcher.withDefaults().matcher(path))
                .toList());
    BearerTokenSecurity.apply(http, mapper)
        .oauth2ResourceServer(oauth -> oauth.bearerTokenResolver(tokensOutside(open)))
        .authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers(open)
                    .permitAll()
                    .requestMatchers("/v1/**")
                    .hasAuthority(Scope.READ.authority())
                    .anyRequest()
                    .authenticated());
    return http.build();
  }

  /** The header or query-parameter token, except on the open paths, where there is none. */
  private static BearerTokenResolver tokensOutside(RequestMatcher open) {
    DefaultBearerTokenResolver tokens = new DefaultBearerTokenResolver();
    tokens.setAllowUriQueryParameter(true);
    return request -> open.matches(request) ? null : tokens.resolve(request);
  }
}
