package io.mlhub.benchmarks.jmh;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws ranks {@code 0..n-1} with Zipf probabilities (rank r has weight {@code 1 / (r + 1)^exponent}), the skew
 * of real traffic where a few users are busy and most are idle. Exponent 0.99 is YCSB's default.
 */
public final class Zipf {
    private final double[] cumulative;
    private final SplittableRandom random;

    /** Creates a generator over {@code n} ranks with a fixed seed, so that every run draws the same keys. */
    public Zipf(int n, double exponent, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("n: " + n + " (expected: >= 1)");
        }
        if (!(exponent > 0)) {
            throw new IllegalArgumentException("exponent: " + exponent + " (expected: > 0)");
        }
        cumulative = new double[n];
        double sum = 0;
        for (int rank = 0; rank < n; rank++) {
            sum += 1 / Math.pow(rank + 1, exponent);
            cumulative[rank] = sum;
        }
        for (int rank = 0; rank < n; rank++) {
            cumulative[rank] /= sum;
        }
        random = new SplittableRandom(seed);
    }

    /** Returns the next rank; rank 0 is the most frequent. */
    public int next() {
        double u = random.nextDouble();
        int index = Arrays.binarySearch(cumulative, u);
        int rank = index >= 0 ? index : -index - 1;
        return Math.min(rank, cumulative.length - 1);
    }

    /**
     * Returns a permutation of {@code 0..n-1} from the seed, so that busy ranks map to users spread over the
     * whole table rather than to the first ones added.
     */
    public static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
