package dev.agentfeed.bench.gateway;

import dev.agentfeed.bench.JitThreads;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Locale;

/**
 * Where the CPU of a phase went: this benchmark JVM's threads, grouped as clients, writer and the
 * rest (with {@code --embedded-kafka} mostly the broker, with its request handlers apart), what no
 * Java thread accounts for (GC, JIT, threads that ended), and the gateway's JVM. The machine has
 * few cores, so a harness that takes them makes the gateway look slow; this shows whether it did.
 */
final class CpuSplit {

  private static final String WRITER = "bench-writer";
  private static final String REQUEST_HANDLER = "kafka-request-handler";

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final GatewayProcess gateway;

  CpuSplit(GatewayProcess gateway) {
    this.gateway = gateway;
  }

  /** The CPU seconds spent so far, by group. */
  Reading read() {
    double clients = 0;
    double writer = 0;
    double reference = 0;
    double handlers = 0;
    double otherThreads = 0;
    long[] ids = threads.getAllThreadIds();
    ThreadInfo[] infos = threads.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      long nanos = threads.getThreadCpuTime(ids[i]);
      if (infos[i] == null || nanos < 0) {
        continue;
      }
      double seconds = nanos / 1e9;
      String name = infos[i].getThreadName();
      if (name.startsWith(BenchClients.THREAD_PREFIX)) {
        clients += seconds;
      } else if (name.contains(WRITER)) {
        writer += seconds;
      } else if (name.contains(ReferenceReader.THREAD)) {
        reference += seconds;
      } else if (name.contains(REQUEST_HANDLER)) {
        handlers += seconds;
      } else {
        otherThreads += seconds;
      }
    }
    return new Reading(
        processSeconds(),
        clients,
        writer,
        reference,
        handlers,
        otherThreads,
        JitThreads.ownSeconds(),
        gateway.cpu().toNanos() / 1e9,
        JitThreads.seconds(gateway.pid()));
  }

  private static double processSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  /**
   * CPU seconds: this JVM in all, its clients', writer's (the writer thread and its producer's
   * network thread), the reference reader's (its polling thread, which does the consumer's network
   * I/O too, and any thread named for its client id), broker request handlers' and other threads',
   * this JVM's JIT compiler threads, the gateway JVM's and its JIT compiler threads'.
   */
  record Reading(
      double process,
      double clients,
      double writer,
      double reference,
      double requestHandlers,
      double otherThreads,
      double jit,
      double gateway,
      double gatewayJit) {

    Reading minus(Reading earlier) {
      return new Reading(
          process - earlier.process,
          clients - earlier.clients,
          writer - earlier.writer,
          reference - earlier.reference,
          requestHandlers - earlier.requestHandlers,
          otherThreads - earlier.otherThreads,
          jit - earlier.jit,
          gateway - earlier.gateway,
          gatewayJit - earlier.gatewayJit);
    }

    /** In cores busy over {@code wall} (1.00 = one core all the time), as top shows it in %. */
    String describe(Duration wall, boolean embeddedBroker) {
      double s = wall.toNanos() / 1e9;
      double unaccounted = process - clients - writer - reference - requestHandlers - otherThreads;
      return String.format(
          Locale.ROOT,
          "CPU in cores: gateway JVM %.2f (JIT compiler threads %.2f of it); benchmark JVM %.2f ="
              + " clients %.2f + writer %.2f + reference reader %.2f + %s %.2f + %s %.2f +"
              + " GC/JIT/ended threads %.2f (JIT compiler threads %.2f of it)",
          gateway / s,
          gatewayJit / s,
          process / s,
          clients / s,
          writer / s,
          reference / s,
          embeddedBroker ? "broker request handlers" : "request-handler threads",
          requestHandlers / s,
          embeddedBroker ? "other threads (mostly the broker's)" : "other threads",
          otherThreads / s,
          unaccounted / s,
          jit / s);
    }
  }
}
