package io.mlhub.benchmarks.harness;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Memory per idle websocket: opens 5,000 and then 10,000 websockets through a proxy and divides the growth of
 * the proxy's resident memory (its whole process tree) by the number of open websockets.
 */
final class IdleRuns {
    private static final Logger logger = LoggerFactory.getLogger(IdleRuns.class);

    static final List<String> SERVERS = List.of("nginx", "haproxy", "chp", "mlhub");
    static final int[] COUNTS = {5_000, 10_000};
    /**
     * Files a proxy needs besides its two sockets per websocket: listeners, logs, libraries, event fds, pooled
     * upstream connections. nginx 1.22 reported "worker_connections are not enough" with only 1,000 spare.
     */
    private static final int SPARE_FILES = 2_000;
    /** Time for the proxy's allocator and garbage collector to settle before its memory is read. */
    private static final long SETTLE_MILLIS = 2_000;

    private final Stack stack;
    private final Report report;

    IdleRuns(Stack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    /**
     * Returns how many websockets a proxy can hold for {@code requested}: a proxied websocket costs the proxy two
     * sockets, so a low open-file limit caps the count.
     */
    static int openable(int requested, long fileLimit) {
        return (int) Math.max(0, Math.min(requested, (fileLimit - SPARE_FILES) / 2));
    }

    static void declare(Report report, long fileLimit) {
        for (int requested : COUNTS) {
            int count = openable(requested, fileLimit);
            String id = "idle-ws-" + requested;
            String label = "memory per idle websocket, " + String.format("%,d", count) + " open";
            if (count < requested) {
                label += String.format(" (%,d requested; the open-file limit of %,d allows %,d)", requested, fileLimit,
                        count);
            }
            report.declare(new Measure(id, label, "KiB", false, "nginx", "chp", null));
            report.goal(Goal.ratio(id, "mlhub", "nginx", 0.5, "≤ half of nginx's memory per websocket"));
        }
    }

    void runRepeat(int repeat, WebSocketLoad websockets) throws InterruptedException {
        for (String server : HttpRuns.rotated(SERVERS, repeat)) {
            run(stack.endpoint(server), websockets);
        }
    }

    private void run(Endpoint endpoint, WebSocketLoad websockets) throws InterruptedException {
        if (!endpoint.isRunning()) {
            for (int count : COUNTS) {
                report.note("idle-ws-" + count, endpoint.name(), endpoint.notRunReason());
            }
            return;
        }
        URI uri = URI.create("ws://127.0.0.1:" + endpoint.base().getPort() + "/idle");
        List<io.netty.channel.Channel> open = new ArrayList<>();
        try {
            Thread.sleep(SETTLE_MILLIS);
            long baseline = endpoint.rssKib();
            for (int requested : COUNTS) {
                int count = openable(requested, Stack.fileLimit());
                open.addAll(websockets.openIdle(uri, count - open.size()));
                Thread.sleep(SETTLE_MILLIS);
                double perConnection = (endpoint.rssKib() - baseline) / (double) count;
                report.add("idle-ws-" + requested, endpoint.name(), perConnection);
                logger.info("run scenario=idle-ws server={} open={} kibPerConnection={}", endpoint.name(), count,
                        String.format("%.1f", perConnection));
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            logger.warn("run failed scenario=idle-ws server={} error={}", endpoint.name(), e.getMessage());
            for (int count : COUNTS) {
                report.note("idle-ws-" + count, endpoint.name(), "failed: " + HttpRuns.firstLine(e));
            }
        } finally {
            websockets.closeAll(open);
            Thread.sleep(SETTLE_MILLIS);
        }
    }
}
