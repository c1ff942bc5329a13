package dev.agentfeed.gateway.web;

import dev.agentfeed.common.web.ProblemExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Every error of the gateway's HTTP endpoints is an RFC 9457 problem detail. */
@RestControllerAdvice
class GatewayExceptionHandler extends ProblemExceptionHandler {}
