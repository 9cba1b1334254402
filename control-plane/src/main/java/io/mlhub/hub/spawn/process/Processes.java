package io.mlhub.hub.spawn.process;

import io.mlhub.hub.spawn.process.WorkspaceState.ProcessId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds, signals and waits for operating-system processes by {@link ProcessId}. */
final class Processes {
    private static final Logger logger = LoggerFactory.getLogger(Processes.class);

    private Processes() {}

    static ProcessId idOf(ProcessHandle handle) {
        return new ProcessId(handle.pid(), handle.info().startInstant().orElse(null));
    }

    /** Returns the live process with this id, or empty when it exited or the id now names another process. */
    static Optional<ProcessHandle> find(@Nullable ProcessId id) {
        if (id == null) {
            return Optional.empty();
        }
        return ProcessHandle.of(id.pid())
                .filter(ProcessHandle::isAlive)
                .filter(handle -> sameStart(id.startedAt(), handle.info().startInstant().orElse(null)));
    }

    private static boolean sameStart(@Nullable Instant recorded, @Nullable Instant actual) {
        return recorded == null || actual == null || Objects.equals(recorded, actual);
    }

    static boolean isAlive(@Nullable ProcessId id) {
        return find(id).isPresent();
    }

    /**
     * Sends SIGTERM to the process, waits up to {@code timeout}, then sends SIGKILL; afterwards kills what is
     * left of its descendants (such as notebook kernels), which would otherwise outlive it. Does nothing when
     * the process is gone.
     */
    static void terminate(@Nullable ProcessId id, Duration timeout) throws InterruptedException {
        Optional<ProcessHandle> found = find(id);
        if (found.isEmpty()) {
            return;
        }
        ProcessHandle process = found.get();
        List<ProcessHandle> descendants = process.descendants().toList();

        process.destroy();
        if (!awaitExit(process, timeout)) {
            logger.info("process ignored SIGTERM, sending SIGKILL pid={} timeout={}", process.pid(), timeout);
            process.destroyForcibly();
            awaitExit(process, Duration.ofSeconds(5));
        }
        for (ProcessHandle descendant : descendants) {
            if (descendant.isAlive()) {
                descendant.destroyForcibly();
            }
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) throws InterruptedException {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException stillRunning) {
            return false;
        } catch (ExecutionException impossible) {
            throw new IllegalStateException("onExit of a process handle never fails", impossible);
        }
    }

    /**
     * Returns a loopback port that was free a moment ago.
     *
     * <p>NOTE: another program may take the port before the workspace binds it, and then the start fails with
     * the workspace's "address in use" log line.
     */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException noPort) {
            throw new UncheckedIOException("no free loopback port", noPort);
        }
    }

    static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException closed) {
            return false;
        }
    }
}
