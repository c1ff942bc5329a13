package dev.agentfeed.client;

/**
 * What a client has done since it was built.
 *
 * @param accepted events ingest newly stored
 * @param duplicates events ingest had stored already (a retry, or a replayed input)
 * @param rejected events ingest refused on their own
 * @param failed events given up on ({@link DeliveryListener#failed})
 * @param retries requests sent again after a 429, a 503, another 5xx or a network error
 * @param buffered events waiting to be sent now
 */
public record ClientStats(
    long accepted, long duplicates, long rejected, long failed, long retries, int buffered) {

  /** Events ingest has answered for, stored or not. */
  public long settled() {
    return accepted + duplicates + rejected + failed;
  }
}
