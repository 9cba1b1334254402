package io.mlhub.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WrkResultTest {
    /** Output of wrk 4.1.0 (Debian) against the harness backend. */
    private static final String KEEP_ALIVE = """
            Running 3s test @ http://127.0.0.1:18900/small
              1 threads and 50 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    27.08ms   66.67ms 551.08ms   91.05%
                Req/Sec     7.81k     5.56k   21.64k    65.52%
              Latency Distribution
                 50%    5.98ms
                 75%   11.16ms
                 90%   76.91ms
                 99%  346.36ms
              22703 requests in 3.04s, 3.90MB read
            Requests/sec:   7455.95
            Transfer/sec:      1.28MB
            """;

    /** Output of wrk 4.1.0 against a server that returns 404. */
    private static final String NOT_FOUND = """
            Running 2s test @ http://127.0.0.1:33381/missing
              1 threads and 4 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    13.26ms   27.98ms 223.16ms   90.93%
                Req/Sec     1.13k   672.22     2.14k    60.00%
              Latency Distribution
                 50%    1.90ms
                 75%   11.00ms
                 90%   37.14ms
                 99%  152.77ms
              2277 requests in 2.07s, 1.13MB read
              Non-2xx or 3xx responses: 2277
            Requests/sec:   1098.59
            Transfer/sec:    557.88KB
            """;

    /** Microsecond latencies, socket errors and gigabytes, in wrk 4.1's layout. */
    private static final String FAST_WITH_ERRORS = """
            Running 6s test @ https://127.0.0.1:40001/large
              1 threads and 400 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   812.40us  301.12us  12.01ms   88.10%
                Req/Sec    45.20k     2.01k   49.00k    70.00%
              Latency Distribution
                 50%  790.00us
                 75%    1.01ms
                 90%    1.22ms
                 99%    1.50s
              271200 requests in 1.00m, 16.55GB read
              Socket errors: connect 3, read 4, write 5, timeout 6
            Requests/sec:  45200.00
            Transfer/sec:      2.76GB
            """;

    @Test
    void parsesKeepAliveRun() {
        WrkResult result = WrkResult.parse(KEEP_ALIVE);

        assertThat(result.requests()).isEqualTo(22703);
        assertThat(result.seconds()).isCloseTo(3.04, within(1e-9));
        assertThat(result.requestsPerSecond()).isCloseTo(7455.95, within(1e-9));
        assertThat(result.bytesPerSecond()).isCloseTo(1.28 * 1024 * 1024, within(1e-6));
        assertThat(result.p50Micros()).isCloseTo(5980, within(1e-6));
        assertThat(result.p99Micros()).isCloseTo(346360, within(1e-6));
        assertThat(result.socketErrors()).isZero();
        assertThat(result.non2xx3xx()).isZero();
    }

    @Test
    void countsNon2xxResponses() {
        WrkResult result = WrkResult.parse(NOT_FOUND);

        assertThat(result.non2xx3xx()).isEqualTo(2277);
        assertThat(result.bytesPerSecond()).isCloseTo(557.88 * 1024, within(1e-6));
    }

    @Test
    void readsMicrosecondsMinutesErrorsAndGigabytes() {
        WrkResult result = WrkResult.parse(FAST_WITH_ERRORS);

        assertThat(result.p50Micros()).isCloseTo(790, within(1e-9));
        assertThat(result.p99Micros()).as("seconds").isCloseTo(1.5e6, within(1e-6));
        assertThat(result.seconds()).as("minutes").isCloseTo(60, within(1e-9));
        assertThat(result.socketErrors()).isEqualTo(3 + 4 + 5 + 6);
        assertThat(result.bytesPerSecond()).isCloseTo(2.76 * 1024 * 1024 * 1024, within(1e-3));
    }

    @Test
    void rejectsOutputWithoutLatencyDistribution() {
        String withoutLatency = KEEP_ALIVE.replaceAll("(?m)^\\s+\\d+%.*\\n", "");

        assertThatThrownBy(() -> WrkResult.parse(withoutLatency))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--latency");
    }

    @Test
    void rejectsConnectionFailureOutput() {
        assertThatThrownBy(() -> WrkResult.parse("unable to connect to 127.0.0.1:58599 Connection refused\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requests in");
    }

    @Test
    void convertsUnits() {
        assertThat(WrkResult.toMicros(2, "m")).isEqualTo(120e6);
        assertThat(WrkResult.toMicros(1, "h")).isEqualTo(3600e6);
        assertThat(WrkResult.toBytes(3, "B")).isEqualTo(3);
        assertThat(WrkResult.toBytes(1, "TB")).isEqualTo(1024.0 * 1024 * 1024 * 1024);
        assertThatThrownBy(() -> WrkResult.toMicros(1, "ns")).isInstanceOf(IllegalArgumentException.class);
    }
}
