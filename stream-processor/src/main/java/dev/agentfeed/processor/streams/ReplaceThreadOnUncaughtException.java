package dev.agentfeed.processor.streams;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the instance processing when a stream thread dies: the thread is replaced and its tasks
 * resume from their last committed transaction, which exactly-once makes safe (the aborted work is
 * redone, never doubled). Bad input does not get here, the dead-letter handler takes it.
 */
final class ReplaceThreadOnUncaughtException implements StreamsUncaughtExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ReplaceThreadOnUncaughtException.class);

  @Override
  public StreamThreadExceptionResponse handle(Throwable exception) {
    log.error(
        "Stream thread {} died; replacing it, its tasks resume from their last commit",
        Thread.currentThread().getName(),
        exception);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }
}
