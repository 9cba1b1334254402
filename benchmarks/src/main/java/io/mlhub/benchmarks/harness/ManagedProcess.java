package io.mlhub.benchmarks.harness;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server process the harness started: its output goes to a log file in the run folder, and {@link #close}
 * stops it by PID (SIGTERM, then SIGKILL after five seconds), together with any descendants it still has.
 */
final class ManagedProcess implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(ManagedProcess.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final Path log;
    private final long startNanos;

    private ManagedProcess(String name, Process process, Path log, long startNanos) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startNanos = startNanos;
    }

    /** Starts {@code command} with extra environment variables, writing its output to {@code DIR/NAME.log}. */
    static ManagedProcess start(String name, List<String> command, Map<String, String> environment, Path dir)
            throws IOException {
        requireNonNull(name, "name");
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        long startNanos = System.nanoTime();
        Process process = builder.start();
        logger.info("started name={} pid={} command={}", name, process.pid(), String.join(" ", command));
        return new ManagedProcess(name, process, log, startNanos);
    }

    String name() {
        return name;
    }

    /** {@link System#nanoTime()} just before the launch, for start-up times. */
    long startNanos() {
        return startNanos;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until the port accepts TCP connections, failing early if the process exits. */
    void awaitPort(int port, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with status " + process.exitValue() + " before it listened on port "
                        + port + "; last lines of " + log + ":\n" + tail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException(name + " did not listen on port " + port + " within " + timeout + "; last lines of "
                + log + ":\n" + tail());
    }

    /** Returns the last lines of the process's log, for error messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> descendants = process.descendants().toList();
        stop(process.toHandle());
        // Children that outlive their parent (an sslh fork holding a connection, for example) were started
        // by this process and are stopped by PID too.
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ManagedProcess::stop);
        logger.info("stopped name={} pid={}", name, process.pid());
    }

    private static void stop(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        try {
            // Long enough for the product's JVM to write its class data sharing archive at exit on a busy core.
            handle.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            logger.warn("process did not stop after SIGTERM, sending SIGKILL pid={}", handle.pid());
            handle.destroyForcibly();
        }
    }
}
