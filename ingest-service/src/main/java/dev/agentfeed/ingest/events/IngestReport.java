package dev.agentfeed.ingest.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The answer to a request: {@code accepted} events were newly stored, {@code duplicates} were
 * stored before (by this request or a recent one) and not sent again, and {@code rejected} says
 * which events were refused and why. Only the first {@link RequestTally#LISTED_REJECTIONS}
 * rejections are listed; {@code rejectedNotListed} counts the rest and is absent when there are
 * none.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record IngestReport(
    int accepted, int duplicates, List<Rejection> rejected, Integer rejectedNotListed) {}
