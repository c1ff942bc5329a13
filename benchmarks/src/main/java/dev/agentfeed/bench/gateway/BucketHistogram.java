package dev.agentfeed.bench.gateway;

import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A Prometheus histogram of the gateway as the benchmark reads it: cumulative bucket counts by
 * upper bound in seconds ({@code +Inf} last). Two readings give a phase's histogram, and a
 * percentile is known only as the bound of the bucket that holds it.
 */
final class BucketHistogram {

  private final NavigableMap<Double, Double> cumulative;

  BucketHistogram(NavigableMap<Double, Double> cumulative) {
    this.cumulative = cumulative;
  }

  /** What was recorded between {@code earlier} and this reading, bucket by bucket. */
  BucketHistogram minus(BucketHistogram earlier) {
    NavigableMap<Double, Double> delta = new TreeMap<>();
    cumulative.forEach(
        (le, count) -> delta.put(le, count - earlier.cumulative.getOrDefault(le, 0d)));
    return new BucketHistogram(delta);
  }

  /**
   * The upper bound of the bucket that holds the percentile, in ms ("≤ 12.3 ms" is meant); "∞" when
   * only the last bucket does, "-" without samples.
   */
  String atPercentile(double percentile) {
    double total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
    if (total <= 0) {
      return "-";
    }
    for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
      if (bucket.getValue() >= total * percentile / 100) {
        return bucket.getKey().isInfinite()
            ? "∞"
            : String.format(Locale.ROOT, "%.1f ms", bucket.getKey() * 1000);
      }
    }
    return "∞";
  }
}
