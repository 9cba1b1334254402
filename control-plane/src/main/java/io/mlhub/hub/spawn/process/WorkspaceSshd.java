package io.mlhub.hub.spawn.process;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.process.WorkspaceState.ProcessId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one OpenSSH sshd per workspace on a loopback port, with its own host key and an
 * {@code authorized_keys} file that the hub rewrites when the user's keys change. sshd reads that file at
 * every login, so a rewrite takes effect at once. Users log in as the operating-system user that runs the hub.
 */
final class WorkspaceSshd {
    private static final Logger logger = LoggerFactory.getLogger(WorkspaceSshd.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final String HOST_KEY = "ssh_host_ed25519_key";
    static final String AUTHORIZED_KEYS = "authorized_keys";

    private final ProcessSpawnerConfig config;

    WorkspaceSshd(ProcessSpawnerConfig config) {
        this.config = config;
    }

    record Started(ProcessId process, int port) {}

    /**
     * Starts sshd with its files in {@code directory} and waits until it accepts connections. {@code wrapper}
     * wraps sshd's command line, such as to run it in the workspace's cgroup.
     */
    Started start(Path directory, String authorizedKeys, UnaryOperator<List<String>> wrapper)
            throws SpawnException, InterruptedException {
        int port = Processes.freeLoopbackPort();
        Path log = directory.resolve("sshd.log");
        Process process;
        try {
            Files.createDirectories(directory);
            ensureHostKey(directory);
            writeAuthorizedKeys(directory, authorizedKeys);
            Path configFile = directory.resolve("sshd_config");
            // sshd re-executes itself from / for each connection, so every path in its config must be absolute.
            Files.writeString(configFile, sshdConfig(directory.toAbsolutePath(), port));
            ensurePrivilegeSeparationDirectory();

            List<String> command = List.of(config.sshdBinary().toString(), "-D", "-e", "-f", configFile.toString());
            process = new ProcessBuilder(wrapper.apply(command))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException failed) {
            throw new SpawnException("failed to start the workspace's sshd: " + failed.getMessage(), failed);
        }

        awaitListening(process, port, log);
        logger.debug("workspace sshd started pid={} port={}", process.pid(), port);
        return new Started(Processes.idOf(process.toHandle()), port);
    }

    /** Replaces the authorized keys file in one atomic rename, so sshd never reads half a file. */
    static void writeAuthorizedKeys(Path directory, String content) throws IOException {
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, AUTHORIZED_KEYS, ".tmp");
        Files.writeString(temporary, content, UTF_8);
        Files.move(temporary, directory.resolve(AUTHORIZED_KEYS), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private void awaitListening(Process process, int port, Path log) throws SpawnException, InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!Processes.acceptsConnections(port)) {
            if (!process.isAlive()) {
                throw new SpawnException("the workspace's sshd exited with code " + process.exitValue()
                        + " at start" + logLines(log));
            }
            if (Instant.now().isAfter(deadline)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new SpawnException("the workspace's sshd did not listen on port " + port + " within "
                        + START_TIMEOUT.toSeconds() + " s" + logLines(log));
            }
            Thread.sleep(50);
        }
    }

    private static String logLines(Path log) {
        try {
            List<String> lines = LogTail.lastLines(log, 10);
            return lines.isEmpty() ? "" : "; last log lines:\n" + String.join("\n", lines);
        } catch (IOException unreadable) {
            return "";
        }
    }

    /** Makes the workspace's host key once, so that clients see the same key after every restart. */
    private void ensureHostKey(Path directory) throws IOException, SpawnException {
        Path key = directory.resolve(HOST_KEY);
        if (Files.exists(key)) {
            return;
        }
        Process keygen = new ProcessBuilder(config.sshKeygenBinary().toString(), "-q", "-t", "ed25519", "-N", "",
                "-C", "mlhub-workspace", "-f", key.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(keygen.getInputStream().readAllBytes(), UTF_8).strip();
        try {
            if (keygen.waitFor() != 0) {
                throw new SpawnException("ssh-keygen failed to make the workspace's host key: " + output);
            }
        } catch (InterruptedException interrupted) {
            keygen.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SpawnException("interrupted while making the workspace's host key");
        }
    }

    /** sshd running as root needs this folder, which only exists on machines where sshd ran before. */
    private static void ensurePrivilegeSeparationDirectory() throws IOException {
        if ("root".equals(System.getProperty("user.name"))) {
            Files.createDirectories(Path.of("/run/sshd"));
        }
    }

    private static String sshdConfig(Path directory, int port) {
        String user = System.getProperty("user.name");
        // StrictModes is off because the data folder may sit below a group- or world-writable folder such as
        // /tmp, which sshd's ownership check rejects. Only the hub writes these files.
        return """
                # sshd of one ML Hub workspace, written by the process spawner at each start
                Port %d
                ListenAddress 127.0.0.1
                HostKey %s
                PidFile none
                AuthorizedKeysFile %s
                AuthenticationMethods publickey
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                PermitRootLogin prohibit-password
                AllowUsers %s
                X11Forwarding no
                PermitTunnel no
                PrintMotd no
                Subsystem sftp internal-sftp
                """.formatted(port, directory.resolve(HOST_KEY), directory.resolve(AUTHORIZED_KEYS), user);
    }
}
