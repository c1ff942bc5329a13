package dev.agentfeed.common.security;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import tools.jackson.databind.json.JsonMapper;

/**
 * The part of every service's security chain that is the same everywhere: stateless, no CSRF (no
 * cookies are used), bearer JWTs from the header, and problem-detail error bodies. Each service
 * adds its own {@code authorizeHttpRequests} rules.
 */
public final class BearerTokenSecurity {

  private BearerTokenSecurity() {}

  public static HttpSecurity apply(HttpSecurity http, JsonMapper mapper) {
    ProblemResponses problems = new ProblemResponses(mapper);
    return http.csrf(AbstractHttpConfigurer::disable)
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
        .oauth2ResourceServer(
            o -> o.jwt(jwt -> {}).authenticationEntryPoint(problems).accessDeniedHandler(problems));
  }
}
