package io.mlhub.benchmarks.jmh;

import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route table updates in {@link PathRouteTable} with 10, 1,000 and 100,000 routes, as the route API and the
 * control plane make them.
 *
 * <ul>
 *   <li>{@code addAndRemove}: adds the route of a new workspace and removes it again (a spawn and a stop), so the
 *       table keeps its size.
 *   <li>{@code replace}: writes an existing route again, as JupyterHub does when it re-adds a route it finds
 *       changed.
 *   <li>{@code readWhileWriting}: one thread matches Zipf-skewed request paths while another adds and removes
 *       routes, which shows what writers cost the event loops that read.
 * </ul>
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * RouteUpdateBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouteUpdateBenchmark {
    /** New workspaces cycled through by the writers; numbered above every existing route. */
    private static final int FRESH = 1 << 12;
    private static final int PATHS = 1 << 16;

    @Param({"10", "1000", "100000"})
    int routes;

    private PathRouteTable table;
    private Route[] fresh;
    private Route[] existing;
    private String[] paths;

    /** Per-thread position in the input arrays, so that the reader and the writer do not share a counter. */
    @State(Scope.Thread)
    public static class Cursor {
        int index;
    }

    @Setup
    public void setUp() {
        table = new PathRouteTable();
        table.put(Workloads.hubRoute("/"));
        table.put(Workloads.hubRoute("/hub"));
        existing = new Route[routes];
        for (int i = 0; i < routes; i++) {
            existing[i] = Workloads.route(i);
            table.put(existing[i]);
        }
        fresh = new Route[FRESH];
        for (int i = 0; i < FRESH; i++) {
            fresh[i] = Workloads.route(routes + i);
        }
        paths = Workloads.requestPaths(routes, PATHS, 7);
    }

    @Benchmark
    public boolean addAndRemove(Cursor cursor) {
        Route route = fresh[cursor.index++ & (FRESH - 1)];
        table.put(route);
        return table.remove(route.prefix());
    }

    @Benchmark
    public int replace(Cursor cursor) {
        table.put(existing[cursor.index++ % routes]);
        return table.size();
    }

    @Benchmark
    @Group("readWhileWriting")
    @GroupThreads(1)
    public Route reader(Cursor cursor) {
        return table.match(paths[cursor.index++ & (PATHS - 1)]);
    }

    @Benchmark
    @Group("readWhileWriting")
    @GroupThreads(1)
    public boolean writer(Cursor cursor) {
        return addAndRemove(cursor);
    }
}
