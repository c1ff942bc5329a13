package dev.agentfeed.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BucketHistogramTest {

  private static BucketHistogram cumulative(double... countsAt1And5And10MsAndInf) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    buckets.put(0.001, countsAt1And5And10MsAndInf[0]);
    buckets.put(0.005, countsAt1And5And10MsAndInf[1]);
    buckets.put(0.010, countsAt1And5And10MsAndInf[2]);
    buckets.put(Double.POSITIVE_INFINITY, countsAt1And5And10MsAndInf[3]);
    return new BucketHistogram(buckets);
  }

  @Test
  void shouldNameTheUpperBoundOfTheBucketHoldingEachPercentileOfAPhase() {
    BucketHistogram before = cumulative(100, 100, 100, 100);
    // In the phase: 50 samples ≤ 1 ms, 49 more ≤ 5 ms, 1 more ≤ 10 ms.
    BucketHistogram after = cumulative(150, 199, 200, 200);

    BucketHistogram phase = after.minus(before);

    assertThat(List.of(phase.atPercentile(50), phase.atPercentile(99), phase.atPercentile(99.9)))
        .isEqualTo(List.of("1.0 ms", "5.0 ms", "10.0 ms"));
  }

  @Test
  void shouldSayInfinityForSamplesBeyondTheLastBoundAndDashWithoutSamples() {
    BucketHistogram beyond = cumulative(0, 0, 0, 10);

    assertThat(List.of(beyond.atPercentile(50), cumulative(0, 0, 0, 0).atPercentile(50)))
        .isEqualTo(List.of("∞", "-"));
  }
}
