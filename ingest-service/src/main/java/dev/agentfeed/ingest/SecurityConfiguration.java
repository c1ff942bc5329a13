package dev.agentfeed.ingest;

import dev.agentfeed.common.security.BearerTokenSecurity;
import dev.agentfeed.common.security.Scope;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may call what: the health endpoint is open (load balancers and orchestrators probe it without
 * a token), posting events needs the {@code ingest} scope, everything else a valid token. Which org
 * and session a caller may write is checked per event, see {@code EventChecks}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

  @Bean
  SecurityFilterChain ingestSecurity(HttpSecurity http, JsonMapper jsonMapper) {
    BearerTokenSecurity.apply(http, jsonMapper)
        .authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers(EndpointRequest.to("health"))
                    .permitAll()
                    // Errors rendered by the container's error dispatch keep their own status.
                    .dispatcherTypeMatchers(DispatcherType.ERROR)
                    .permitAll()
                    .requestMatchers(
                        HttpMethod.POST,
                        "/v1/events",
                        "/v1/sessions/{sessionId}/claude-code",
                        "/v1/sessions/{sessionId}/openhands")
                    .hasAuthority(Scope.INGEST.authority())
                    .anyRequest()
                    .authenticated());
    return http.build();
  }
}
