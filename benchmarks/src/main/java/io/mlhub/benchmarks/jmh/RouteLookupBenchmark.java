package io.mlhub.benchmarks.jmh;

import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import io.mlhub.proxy.route.RouteKeys;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route lookup in the proxy's {@link PathRouteTable} with 10, 1,000 and 100,000 workspace routes. Request paths
 * are drawn with Zipf skew over the workspaces (see {@link Workloads#requestPaths}), so hot routes repeat as in
 * real traffic. The design goal is the same cost per lookup at every table size.
 *
 * <ul>
 *   <li>{@code match}: the lookup alone, on paths already in canonical form.
 *   <li>{@code canonicalizeAndMatch}: what the relay does per request: {@link RouteKeys#normalize}, strip the
 *       trailing slash, then match.
 * </ul>
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * RouteLookupBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouteLookupBenchmark {
    private static final int PATHS = 1 << 16;
    private static final int MASK = PATHS - 1;

    @Param({"10", "1000", "100000"})
    int routes;

    private PathRouteTable table;
    private String[] rawPaths;
    private String[] canonicalPaths;
    private int index;

    @Setup
    public void setUp() {
        table = new PathRouteTable();
        table.put(Workloads.hubRoute("/"));
        table.put(Workloads.hubRoute("/hub"));
        for (int i = 0; i < routes; i++) {
            table.put(Workloads.route(i));
        }

        rawPaths = Workloads.requestPaths(routes, PATHS, 42);
        canonicalPaths = new String[PATHS];
        for (int i = 0; i < PATHS; i++) {
            canonicalPaths[i] = RouteKeys.canonical(rawPaths[i]);
            if (table.match(canonicalPaths[i]) == null) {
                throw new IllegalStateException("no route matches " + canonicalPaths[i]);
            }
        }
    }

    @Benchmark
    public Route match() {
        return table.match(canonicalPaths[index++ & MASK]);
    }

    @Benchmark
    public Route canonicalizeAndMatch() {
        String normalized = RouteKeys.normalize(rawPaths[index++ & MASK]);
        return table.match(RouteKeys.stripTrailingSlash(normalized));
    }
}
