package dev.agentfeed.gateway.web;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The dashboard is a single-page app (module {@code dashboard}, served from {@code
 * classpath:/META-INF/resources/}): its own routes all load {@code index.html}, which then reads
 * the path. They are open without a token; the page asks for one and sends it with every {@code
 * /v1} call.
 */
@Controller
class DashboardPages {

  @GetMapping({"/", "/sessions/{sessionId}", "/replays/{sessionId}"})
  String page() {
    return "forward:/index.html";
  }
}
