package io.mlhub.benchmarks.harness;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One server the load goes to: a base URI on 127.0.0.1 and the processes whose CPU time and memory count
 * for it (the backend never counts, except for {@code direct}).
 *
 * @param name short name used in the table, e.g. {@code nginx-tls}
 * @param base base URI, {@code http://127.0.0.1:PORT} or {@code https://...}
 * @param websocket whether websocket upgrades are passed through
 * @param processes processes whose CPU and memory are this server's, empty for one that is not running
 * @param notRunReason why the server is absent from this run, or {@code null} when it runs
 */
record Endpoint(String name, URI base, boolean websocket, List<ManagedProcess> processes, @Nullable String notRunReason) {
    Endpoint {
        requireNonNull(name, "name");
        requireNonNull(base, "base");
        processes = List.copyOf(processes);
    }

    static Endpoint running(String name, URI base, boolean websocket, List<ManagedProcess> processes) {
        return new Endpoint(name, base, websocket, processes, null);
    }

    static Endpoint notRunning(String name, String reason) {
        return new Endpoint(name, URI.create("http://127.0.0.1:0"), false, List.of(), reason);
    }

    boolean isRunning() {
        return notRunReason == null;
    }

    boolean tls() {
        return base.getScheme().equals("https");
    }

    /** CPU time of this server's processes and their descendants, in clock ticks. */
    long cpuTicks() {
        return processes.stream().mapToLong(p -> ProcStat.cpuTicks(p.pid())).sum();
    }

    /** Resident memory of this server's processes and their descendants, in KiB. */
    long rssKib() {
        return processes.stream().mapToLong(p -> ProcStat.rssKib(p.pid())).sum();
    }
}
