package dev.agentfeed.gateway.stream;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends a connection when the token it was opened with expires: the token was checked once, at the
 * handshake, so without this a connection would outlive the right to read. Every subscription gets
 * an {@code error} frame with code {@code token_expired}, then the socket closes; the client
 * reconnects with a fresh token and resumes from its cursors.
 */
final class TokenExpiry {

  static final String MESSAGE =
      "the token of this connection expired; reconnect with a new token and resume from the last"
          + " cursor";

  private TokenExpiry() {}

  static void watch(
      Connection connection, StreamThreads threads, Clock clock, StreamMetrics metrics) {
    if (connection.expiresAt() == null) {
      return;
    }
    long delay = Math.max(0, Duration.between(clock.instant(), connection.expiresAt()).toMillis());
    try {
      ScheduledFuture<?> timer =
          threads
              .scheduler()
              .schedule(
                  () -> {
                    if (connection.open()) {
                      metrics.tokenExpired();
                      connection.end(
                          ErrorCode.TOKEN_EXPIRED, MESSAGE, Transport.Ending.TOKEN_EXPIRED);
                    }
                  },
                  delay,
                  TimeUnit.MILLISECONDS);
      connection.onClose(() -> timer.cancel(false));
    } catch (RejectedExecutionException e) {
      // Shutting down: the connection goes with the gateway.
    }
  }
}
