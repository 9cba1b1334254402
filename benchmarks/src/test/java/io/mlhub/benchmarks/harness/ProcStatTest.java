package io.mlhub.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatTest {
    @Test
    void cpuTicksAddUserAndSystemTime() {
        String stat = "4242 (nginx) S 1 4242 4242 0 -1 4194624 1077 0 0 0 1500 250 0 0 20 0 1 0 123 1000 200 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";

        assertThat(ProcStat.cpuTicksOf(stat)).isEqualTo(1500 + 250);
    }

    @Test
    void commandNameWithSpacesAndParenthesesIsSkipped() {
        String stat = "77 (node (chp) x) R 1 77 77 0 -1 4194560 1 0 0 0 31 9 0 0 20 0 11 0 5 1 2";

        assertThat(ProcStat.cpuTicksOf(stat)).isEqualTo(40);
    }

    @Test
    void rssComesFromVmRssLine() {
        String status = "Name:\thaproxy\nVmPeak:\t  200000 kB\nVmRSS:\t   51234 kB\nThreads:\t1\n";

        assertThat(ProcStat.rssKibOf(status)).isEqualTo(51234);
    }

    @Test
    void kernelThreadHasNoRss() {
        assertThat(ProcStat.rssKibOf("Name:\tkthreadd\nState:\tS (sleeping)\n")).isZero();
    }

    @Test
    void ownProcessTreeIsReadable() {
        long self = ProcessHandle.current().pid();

        assertThat(ProcStat.tree(self)).first().isEqualTo(self);
        assertThat(ProcStat.rssKib(self)).isPositive();
        assertThat(ProcStat.openFileLimit()).isPositive();
    }
}
