package dev.agentfeed.archiver.archive;

import dev.agentfeed.archiver.ArchiverApplication;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The archiver as its main class starts it, in a child JVM that kills itself at one chosen point
 * with {@link Runtime#halt}: no shutdown hook, no {@code finally}, no consumer close, no commit —
 * what {@code kill -9} does, but at an exact point rather than at a random time. The point comes
 * from the system property {@value #CRASH_AT}: {@code <when>:<n>}, e.g. {@code after-segment:2}.
 */
public final class CrashingArchiver {

  static final String CRASH_AT = "agentfeed.test.crash-at";

  /** The exit code of a halt at the crash point; any other code means it was never reached. */
  static final int HALTED = 86;

  private CrashingArchiver() {}

  public static void main(String[] args) {
    String[] point = System.getProperty(CRASH_AT).split(":");
    Halting listener = new Halting(point[0], Integer.parseInt(point[1]));
    var application = ArchiverApplication.application();
    application.addInitializers(
        context -> context.getBeanFactory().registerSingleton("crashingListener", listener));
    application.run(args);
  }

  /** Halts the JVM the n-th time the chosen point is reached. */
  private static final class Halting implements ArchiveListener {

    private final String when;
    private final int n;
    private final AtomicInteger seen = new AtomicInteger();

    Halting(String when, int n) {
      this.when = when;
      this.n = n;
    }

    @Override
    public void writing(String key) {
      if (isSegment(key)) {
        reached("before-segment");
      }
    }

    @Override
    public void written(String key) {
      if (isSegment(key)) {
        reached("after-segment");
      } else if (key.endsWith("/replay.jsonl.gz")) {
        reached("after-replay");
      } else if (key.endsWith("/manifest.json")) {
        reached("after-manifest");
      }
    }

    @Override
    public void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
      if (offsets.values().stream().anyMatch(o -> o.offset() > 0)) {
        reached("after-commit");
      }
    }

    private static boolean isSegment(String key) {
      return key.substring(key.lastIndexOf('/') + 1).startsWith("segment-");
    }

    private void reached(String point) {
      if (point.equals(when) && seen.incrementAndGet() == n) {
        Runtime.getRuntime().halt(HALTED);
      }
    }
  }
}
