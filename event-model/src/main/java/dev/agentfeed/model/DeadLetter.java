package dev.agentfeed.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * What goes to {@code events.dlq}: where a record came from, why it could not be processed, and the
 * record itself (as UTF-8 text when it is text, else base64), so an operator can replay it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(
    String topic,
    Integer partition,
    Long offset,
    String key,
    String reason,
    String stage,
    String value,
    String valueEncoding,
    Instant at) {}
