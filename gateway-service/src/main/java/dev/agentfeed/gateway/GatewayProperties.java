package dev.agentfeed.gateway;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The gateway's own settings ({@code agentfeed.gateway.*}); Kafka client settings stay under {@code
 * spring.kafka.*}.
 *
 * @param heartbeatInterval how often every connection gets a {@code heartbeat} frame
 * @param maxOutboundBuffer frames queued for one connection before it is told to resync and closed
 * @param maxOutboundTotal frames queued for all connections together: beyond it, a connection that
 *     is itself behind (more than a sixteenth of {@code maxOutboundBuffer} queued) is told to
 *     resync and closed at its next frame; a quarter of the maximum heap by default
 * @param sendTimeLimit how long one write to a client may block: then the write fails and the
 *     client is closed as stalled. A blocked write holds one of the sender threads, so this bounds
 *     how long clients that stopped reading can hold up the others
 * @param tailRecords records of each partition kept in memory to join a replay to the live feed
 * @param tailBytes bytes of each partition's in-memory tail
 * @param sessionIndexSize sessions remembered in the sessionId to organisations index
 * @param sessionIndexBytes bytes of {@code sessions.stats} documents the session index keeps
 * @param partitionRefreshInterval how often the reader checks feed.live for added partitions
 * @param pollTimeout how long one poll of the reader and of a replay waits for records
 * @param replayThreads history replays that run at once
 * @param replayQueue replays that may wait for a thread before a subscribe is refused
 * @param senderThreads threads that write frames to sockets, so no reader ever blocks on a client;
 *     the number of cores (at most 16) by default: more senders than cores only contend for them,
 *     and clients that stop reading get spare senders ({@code senderSpares})
 * @param senderSpares sender threads added, at most, while as many senders are blocked in writes to
 *     clients that take nothing (blocking writes only): the clients that read keep {@code
 *     senderThreads} senders; 0 adds none
 * @param maxSubscriptionsPerConnection subscriptions one connection may hold at once
 * @param cursorSecret HMAC key of cursors (at least 32 bytes); derived from the JWT secret if unset
 * @param idleTimeout a connection from which nothing (no frame, no WebSocket pong to the ping sent
 *     with every heartbeat) has arrived for this long is closed
 * @param detailReaders detail lookups that read {@code events.enriched} at once
 * @param detailIndexSize event ids remembered with their {@code events.enriched} offset
 * @param detailCacheSize bytes of recently served details kept in memory
 * @param allowedOrigins origin patterns allowed to open the WebSocket (tokens, not cookies,
 *     authenticate, so any origin is safe by default)
 * @param reemissionLookbehind offsets of a {@code feed.live} partition read before where a reader
 *     starts (gateway start, resume from the broker), only to learn the highest seq already passed
 *     on per session; a re-emitted event is recognised as long as the aborted transaction that
 *     first carried it began within this many offsets before the re-emission
 * @param reemissionFenceSessions sessions per partition (and per replay) whose highest seq is
 *     remembered, the least recently seen forgotten first; at least {@code reemissionLookbehind}
 *     keeps the live reader's fence as knowing as a look-behind
 * @param feedFetchMinBytes bytes of {@code feed.live} the broker gathers before it answers a fetch
 *     of the gateway's readers ({@code fetch.min.bytes}), unless {@code feedFetchMaxWait} passes
 *     first
 * @param feedFetchMaxWait the longest the broker holds a fetch of {@code feed.live} waiting for
 *     {@code feedFetchMinBytes} ({@code fetch.max.wait.ms}): the most it adds to the latency of a
 *     record
 * @param dispatchThreads threads that decode and dispatch what the live reader polled, one
 *     partition at a time each, while the reader thread waits (with 1, the reader thread does it);
 *     the number of cores (at most 16) by default
 * @param nonBlockingSends true: WebSocket frames are written without blocking (Tomcat's
 *     asynchronous send) by the thread that queues them, so that no number of stalled clients holds
 *     a thread; it costs about three times the CPU per frame (Tomcat hands every completion to its
 *     executor) and is off by default. False (default): a sender thread writes each connection's
 *     queue, blocking, batched with what else is queued
 */
@Validated
@ConfigurationProperties("agentfeed.gateway")
public record GatewayProperties(
    Duration heartbeatInterval,
    DataSize maxOutboundBuffer,
    DataSize maxOutboundTotal,
    Duration sendTimeLimit,
    @Min(0) @Max(1_000_000) Integer tailRecords,
    DataSize tailBytes,
    @Min(1) Integer sessionIndexSize,
    DataSize sessionIndexBytes,
    Duration partitionRefreshInterval,
    Duration pollTimeout,
    @Min(1) @Max(256) Integer replayThreads,
    @Min(0) Integer replayQueue,
    @Min(1) @Max(1024) Integer senderThreads,
    @Min(0) @Max(4096) Integer senderSpares,
    @Min(1) Integer maxSubscriptionsPerConnection,
    String cursorSecret,
    Duration idleTimeout,
    @Min(1) @Max(64) Integer detailReaders,
    @Min(1) Integer detailIndexSize,
    DataSize detailCacheSize,
    @NotEmpty List<String> allowedOrigins,
    @Min(0) @Max(10_000_000) Integer reemissionLookbehind,
    @Min(1) @Max(10_000_000) Integer reemissionFenceSessions,
    DataSize feedFetchMinBytes,
    Duration feedFetchMaxWait,
    @Min(1) @Max(64) Integer dispatchThreads,
    Boolean nonBlockingSends) {

  public GatewayProperties {
    heartbeatInterval = orDefault(heartbeatInterval, Duration.ofSeconds(15));
    maxOutboundBuffer = maxOutboundBuffer == null ? DataSize.ofMegabytes(1) : maxOutboundBuffer;
    maxOutboundTotal =
        maxOutboundTotal == null
            ? DataSize.ofBytes(Runtime.getRuntime().maxMemory() / 4)
            : maxOutboundTotal;
    sendTimeLimit = orDefault(sendTimeLimit, Duration.ofSeconds(2));
    tailRecords = tailRecords == null ? 10_000 : tailRecords;
    tailBytes = tailBytes == null ? DataSize.ofMegabytes(16) : tailBytes;
    sessionIndexSize = sessionIndexSize == null ? 100_000 : sessionIndexSize;
    sessionIndexBytes = sessionIndexBytes == null ? DataSize.ofMegabytes(256) : sessionIndexBytes;
    partitionRefreshInterval = orDefault(partitionRefreshInterval, Duration.ofSeconds(30));
    pollTimeout = orDefault(pollTimeout, Duration.ofMillis(100));
    replayThreads = replayThreads == null ? 4 : replayThreads;
    replayQueue = replayQueue == null ? 256 : replayQueue;
    senderThreads = senderThreads == null ? cores() : senderThreads;
    senderSpares = senderSpares == null ? 256 : senderSpares;
    maxSubscriptionsPerConnection =
        maxSubscriptionsPerConnection == null ? 100 : maxSubscriptionsPerConnection;
    idleTimeout = orDefault(idleTimeout, Duration.ofSeconds(90));
    detailReaders = detailReaders == null ? 4 : detailReaders;
    detailIndexSize = detailIndexSize == null ? 100_000 : detailIndexSize;
    detailCacheSize = detailCacheSize == null ? DataSize.ofMegabytes(16) : detailCacheSize;
    allowedOrigins = allowedOrigins == null ? List.of("*") : List.copyOf(allowedOrigins);
    reemissionLookbehind = reemissionLookbehind == null ? 5_000 : reemissionLookbehind;
    reemissionFenceSessions = reemissionFenceSessions == null ? 10_000 : reemissionFenceSessions;
    feedFetchMinBytes = feedFetchMinBytes == null ? DataSize.ofKilobytes(16) : feedFetchMinBytes;
    feedFetchMaxWait = orDefault(feedFetchMaxWait, Duration.ofMillis(5));
    dispatchThreads = dispatchThreads == null ? cores() : dispatchThreads;
    nonBlockingSends = nonBlockingSends != null && nonBlockingSends;
    requirePositive("heartbeat-interval", heartbeatInterval);
    requirePositive("send-time-limit", sendTimeLimit);
    requirePositive("partition-refresh-interval", partitionRefreshInterval);
    requirePositive("poll-timeout", pollTimeout);
    requirePositive("idle-timeout", idleTimeout);
    if (feedFetchMinBytes.toBytes() < 1 || feedFetchMinBytes.toBytes() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "agentfeed.gateway.feed-fetch-min-bytes must be between 1B and 2GB, was "
              + feedFetchMinBytes);
    }
    if (feedFetchMaxWait.isNegative() || feedFetchMaxWait.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "agentfeed.gateway.feed-fetch-max-wait must be 0 or more, was " + feedFetchMaxWait);
    }
    if (maxOutboundBuffer.toBytes() < 1024 || maxOutboundBuffer.toBytes() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "agentfeed.gateway.max-outbound-buffer must be between 1KB and 2GB, was "
              + maxOutboundBuffer);
    }
    if (maxOutboundTotal.toBytes() < 1024) {
      throw new IllegalArgumentException(
          "agentfeed.gateway.max-outbound-total must be at least 1KB, was " + maxOutboundTotal);
    }
  }

  /**
   * How much of a connection's outbound buffer a history replay fills before it waits for the
   * client (half of it), and so the most a resume from the in-memory tail hands over at once,
   * without the replay's pacing.
   */
  public long replayFillBytes() {
    return maxOutboundBuffer.toBytes() / 2;
  }

  private static int cores() {
    return Math.min(16, Runtime.getRuntime().availableProcessors());
  }

  private static Duration orDefault(Duration value, Duration fallback) {
    return value == null ? fallback : value;
  }

  private static void requirePositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          "agentfeed.gateway." + name + " must be positive, was " + value);
    }
  }
}
