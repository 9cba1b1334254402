package io.mlhub.benchmarks.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ZipfTest {
    @Test
    void lowRanksAreDrawnMostOften() {
        Zipf zipf = new Zipf(1_000, 0.99, 1);
        int[] counts = new int[1_000];

        for (int i = 0; i < 100_000; i++) {
            counts[zipf.next()]++;
        }

        assertThat(counts[0]).isGreaterThan(counts[1]).isGreaterThan(counts[100]);
        // Rank 0 carries about 1 / H(1000, 0.99) of the draws, roughly 13 %.
        assertThat(counts[0]).isBetween(11_000, 15_500);
        assertThat(Arrays.stream(counts).sum()).isEqualTo(100_000);
    }

    @Test
    void sameSeedDrawsSameRanks() {
        Zipf first = new Zipf(100, 0.99, 7);
        Zipf second = new Zipf(100, 0.99, 7);

        for (int i = 0; i < 1_000; i++) {
            assertThat(first.next()).isEqualTo(second.next());
        }
    }

    @Test
    void shuffleIsPermutation() {
        int[] order = Zipf.shuffled(1_000, 3);

        assertThat(Arrays.stream(order).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 1_000).toArray());
        assertThat(order).isNotEqualTo(java.util.stream.IntStream.range(0, 1_000).toArray());
    }

    @Test
    void requestPathsFallUnderWorkspaceOrHubPrefixes() {
        String[] paths = Workloads.requestPaths(50, 200, 5);

        assertThat(paths).hasSize(200).allSatisfy(path -> assertThat(path).matches("/(user/u\\d+(/nb\\d)?/.+|hub/api/users/u\\d+)"));
    }
}
