package io.mlhub.hub.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 15 server for tests, run from the Debian binaries as the {@code postgres} user in a temporary
 * data folder on a free loopback port. One server serves the whole test JVM; each test gets its own database.
 */
public final class PostgresServer implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(PostgresServer.class);
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path dataDir;
    private final int port;
    private final Process process;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path dataDir, int port, Process process) {
        this.dataDir = dataDir;
        this.port = port;
        this.process = process;
    }

    static PostgresServer start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("mlhub-pg-");
        Path data = dir.resolve("data");
        run("chown", "postgres:postgres", dir.toString());
        run("runuser", "-u", "postgres", "--", BIN.resolve("initdb").toString(), "-D", data.toString(),
                "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        int port = freePort();
        Process process = new ProcessBuilder("runuser", "-u", "postgres", "--", BIN.resolve("postgres").toString(),
                "-D", data.toString(), "-p", Integer.toString(port), "-k", dir.toString(),
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=300")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("postgres.log").toFile())
                .start();
        PostgresServer server = new PostgresServer(data, port, process);
        server.awaitReady();
        logger.info("test postgres started port={} dataDir={}", port, data);
        return server;
    }

    /** Creates a new, empty database and returns its JDBC URL. */
    public String createDatabase() {
        String name = "hubtest" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "")) {
            c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return url(name);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private void awaitReady() throws InterruptedException, IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("postgres exited with " + process.exitValue() + "; see "
                        + dataDir.getParent().resolve("postgres.log"));
            }
            try (Connection ignored = DriverManager.getConnection(url("postgres"), "postgres", "")) {
                return;
            } catch (SQLException e) {
                Thread.sleep(100);
            }
        }
        throw new IOException("postgres did not accept connections within 30 s");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        logger.info("test postgres stopped port={}", port);
        run("rm", "-rf", dataDir.getParent().toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
