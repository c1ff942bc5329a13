package dev.agentfeed.client;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends events to an agentfeed ingest service ({@code POST /v1/events}) from a sandbox, without the
 * sandbox waiting on the network: {@link #send} puts the event in a bounded buffer and returns; one
 * sender thread takes events from it in order, in batches (up to {@code maxBatchEvents} events and
 * {@code maxBatchBytes} bytes, waiting at most {@code linger} for a batch to fill), and posts each
 * batch as a JSON array.
 *
 * <p>Retries: a 429, a 503, another 5xx or a network error is retried with exponential backoff and
 * full jitter, never sooner than the server's {@code Retry-After}, for at most {@code giveUpAfter};
 * a 413 splits the batch in two. The id of an event is fixed before it is buffered, so a retry of a
 * batch that was in fact stored adds nothing: ingest answers those events as duplicates. A refusal
 * that retrying cannot fix (401, 403, other 4xx) fails the batch's events; an event ingest refuses
 * on its own is rejected. Both go to the {@link DeliveryListener} and are counted in {@link
 * #stats()}.
 *
 * <p>Overflow: when the buffer is full, {@link #send} blocks for at most {@code offerTimeout} and
 * then throws {@link BufferFullException}. Blocking briefly rides out a short outage or rate limit
 * without losing anything; failing after it, rather than dropping silently or blocking for ever,
 * leaves the choice to the agent (a lost event is visible to it, and a dead ingest cannot hang it).
 * An {@code offerTimeout} of zero fails fast.
 *
 * <p>Thread-safe: any number of threads may send. Events are posted in the order they were
 * buffered, so a session's events stay in order.
 */
public final class AgentfeedClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AgentfeedClient.class);

  private final BlockingQueue<Pending> buffer;
  private final Duration offerTimeout;
  private final Duration linger;
  private final int maxBatchEvents;
  private final long maxBatchBytes;
  private final BatchSender sender;
  private final EventCodec codec = new EventCodec();
  private final Thread thread;

  /** Held by senders in turn, so that events are numbered in buffer order. */
  private final ReentrantLock sendLock = new ReentrantLock();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition settledChanged = lock.newCondition();
  private final AtomicInteger flushing = new AtomicInteger();
  private final AtomicLong buffered = new AtomicLong();
  private long settled;
  private Pending carried;
  private volatile boolean closing;

  /** One buffered event, encoded once, and its place in the order of {@link #send} calls. */
  record Pending(EventEnvelope event, byte[] json, long number) {}

  private AgentfeedClient(Builder builder) {
    this.buffer = new ArrayBlockingQueue<>(builder.bufferCapacity);
    this.offerTimeout = builder.offerTimeout;
    this.linger = builder.linger;
    this.maxBatchEvents = builder.maxBatchEvents;
    this.maxBatchBytes = builder.maxBatchBytes;
    this.sender =
        new BatchSender(
            builder.ingest.resolve("/v1/events"),
            builder.token,
            builder.requestTimeout,
            builder.giveUpAfter,
            new Backoff(builder.initialBackoff, builder.maxBackoff, builder.random, builder.clock),
            builder.sleeper,
            builder.clock,
            builder.listener);
    this.thread = new Thread(this::run, "agentfeed-client-sender");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * A client of the ingest service at {@code ingest} (its base URI, such as {@code
   * http://localhost:8081}) sending with this bearer token (scope {@code ingest}).
   */
  public static Builder builder(URI ingest, String token) {
    Objects.requireNonNull(token, "token");
    return new Builder(ingest, () -> token);
  }

  /** As {@link #builder(URI, String)}, asking {@code token} for the token before every request. */
  public static Builder builder(URI ingest, Supplier<String> token) {
    return new Builder(ingest, token);
  }

  /**
   * Buffers an event to be sent. Give every event its id before (see {@link EventIds}); the client
   * never changes it.
   *
   * @throws BufferFullException when the buffer stayed full for the offer timeout
   * @throws IllegalStateException when the client is closed
   */
  public void send(EventEnvelope event) {
    Objects.requireNonNull(event, "event");
    if (closing) {
      throw new IllegalStateException("the client is closed");
    }
    byte[] json = codec.toBytes(event);
    sendLock.lock();
    try {
      // Numbered in buffer order, so that flush knows what came before it.
      Pending pending = new Pending(event, json, buffered.get() + 1);
      boolean offered;
      try {
        offered = buffer.offer(pending, offerTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BufferFullException("interrupted while waiting for room in the buffer");
      }
      if (!offered) {
        throw new BufferFullException(
            "the buffer of "
                + (buffer.size() + buffer.remainingCapacity())
                + " events stayed full for "
                + offerTimeout.toMillis()
                + " ms: ingest is not taking events as fast as they come; event "
                + event.id()
                + " was not buffered");
      }
      buffered.incrementAndGet();
    } finally {
      sendLock.unlock();
    }
  }

  /**
   * Waits until every event buffered before this call is settled: stored, known as a duplicate,
   * rejected or failed ({@link #stats()} tells which). Skips the linger time meanwhile.
   *
   * @return false when {@code timeout} passed first
   */
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    flushing.incrementAndGet();
    lock.lock();
    try {
      long target = buffered.get();
      while (settled < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        settledChanged.awaitNanos(left);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
      flushing.decrementAndGet();
    }
  }

  /** What the client has done so far. */
  public ClientStats stats() {
    return sender.stats(buffer.size());
  }

  /**
   * Sends what is buffered (waiting at most {@code timeout}), then stops. Events still unsent then
   * are failed with the reason that the client was closed.
   */
  public void close(Duration timeout) {
    closing = true;
    flush(timeout);
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@link #close(Duration)} with 30 seconds. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  private void run() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        List<Pending> batch = nextBatch();
        if (!batch.isEmpty()) {
          sender.deliver(batch);
          markSettled(batch.get(batch.size() - 1).number());
        }
      }
    } catch (InterruptedException e) {
      // closed
    } catch (RuntimeException e) {
      log.error("The agentfeed client's sender stopped unexpectedly", e);
    }
    List<Pending> left = new ArrayList<>();
    if (carried != null) {
      left.add(carried);
    }
    buffer.drainTo(left);
    if (!left.isEmpty()) {
      sender.fail(left, "the client was closed before the event could be sent");
      markSettled(left.get(left.size() - 1).number());
    }
  }

  private void markSettled(long number) {
    lock.lock();
    try {
      settled = number;
      settledChanged.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The next batch: waits for a first event, then at most {@code linger} for more. */
  private List<Pending> nextBatch() throws InterruptedException {
    List<Pending> batch = new ArrayList<>();
    Pending first = carried != null ? carried : buffer.poll(100, TimeUnit.MILLISECONDS);
    carried = null;
    if (first == null) {
      return batch;
    }
    batch.add(first);
    long bytes = first.json().length;
    long deadline = System.nanoTime() + linger.toNanos();
    while (batch.size() < maxBatchEvents) {
      long left = deadline - System.nanoTime();
      Pending next =
          flushing.get() > 0 || closing || left <= 0
              ? buffer.poll()
              : buffer.poll(left, TimeUnit.NANOSECONDS);
      if (next == null) {
        break;
      }
      if (bytes + next.json().length + 1 > maxBatchBytes) {
        carried = next;
        break;
      }
      batch.add(next);
      bytes += next.json().length + 1;
    }
    return batch;
  }

  /** How the client sends; every setting has a default fit for a sandbox. */
  public static final class Builder {

    private final URI ingest;
    private final Supplier<String> token;
    private int bufferCapacity = 10_000;
    private Duration offerTimeout = Duration.ofSeconds(5);
    private Duration linger = Duration.ofMillis(50);
    private int maxBatchEvents = 500;
    private long maxBatchBytes = 1024 * 1024;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration giveUpAfter = Duration.ofMinutes(5);
    private DeliveryListener listener = DeliveryListener.NONE;
    private RandomGenerator random = new Random();
    private Sleeper sleeper = Sleeper.THREAD;
    private Clock clock = Clock.systemUTC();

    private Builder(URI ingest, Supplier<String> token) {
      this.ingest = Objects.requireNonNull(ingest, "ingest");
      this.token = Objects.requireNonNull(token, "token");
    }

    /** How many events may wait to be sent (default 10,000). */
    public Builder bufferCapacity(int events) {
      this.bufferCapacity = positive(events, "bufferCapacity");
      return this;
    }

    /** How long {@link #send} waits for room in a full buffer (default 5 s; zero fails fast). */
    public Builder offerTimeout(Duration timeout) {
      this.offerTimeout = notNegative(timeout, "offerTimeout");
      return this;
    }

    /** How long the sender waits for a batch to fill (default 50 ms). */
    public Builder linger(Duration linger) {
      this.linger = notNegative(linger, "linger");
      return this;
    }

    /**
     * Most events per request (default 500; at most 1,000, the number of rejections ingest lists).
     * Keep it at most the per-session burst of ingest's rate limit.
     */
    public Builder maxBatchEvents(int events) {
      if (events < 1 || events > 1000) {
        throw new IllegalArgumentException("maxBatchEvents must be 1..1000, not " + events);
      }
      this.maxBatchEvents = events;
      return this;
    }

    /** Most bytes per request body (default 1 MiB; keep it under ingest's max-request-size). */
    public Builder maxBatchBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxBatchBytes must be positive, not " + bytes);
      }
      this.maxBatchBytes = bytes;
      return this;
    }

    /** How long one request may take (default 30 s). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = notNegative(timeout, "requestTimeout");
      return this;
    }

    /** The first retry's backoff ceiling and the largest one (default 200 ms and 30 s). */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = notNegative(initial, "initial backoff");
      this.maxBackoff = notNegative(max, "max backoff");
      return this;
    }

    /** How long a batch is retried before its events fail (default 5 min). */
    public Builder giveUpAfter(Duration giveUpAfter) {
      this.giveUpAfter = notNegative(giveUpAfter, "giveUpAfter");
      return this;
    }

    /** Told of events rejected or failed (default: none; they are still counted). */
    public Builder listener(DeliveryListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    Builder random(RandomGenerator random) {
      this.random = random;
      return this;
    }

    Builder sleeper(Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Starts the client's sender thread; close the client when done. */
    public AgentfeedClient build() {
      return new AgentfeedClient(this);
    }

    private static int positive(int value, String name) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be positive, not " + value);
      }
      return value;
    }

    private static Duration notNegative(Duration value, String name) {
      if (value == null || value.isNegative()) {
        throw new IllegalArgumentException(name + " must be zero or more, not " + value);
      }
      return value;
    }
  }

  /** Waits between attempts; tests record the waits instead. */
  @FunctionalInterface
  interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;

    Sleeper THREAD = duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());
  }
}
