package io.mlhub.sshmux;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH sshd standing in for a workspace: {@code /usr/sbin/sshd} on 127.0.0.1 and a free port, with its
 * own host key and an authorized_keys file the test writes. Stopped by its process id.
 */
final class WorkspaceSshd implements AutoCloseable {

    private final Path directory;
    private final Path authorizedKeys;
    private final int port;
    private final Process process;

    private WorkspaceSshd(Path directory, Path authorizedKeys, int port, Process process) {
        this.directory = directory;
        this.authorizedKeys = authorizedKeys;
        this.port = port;
        this.process = process;
    }

    static WorkspaceSshd start(Path directory, List<String> authorizedKeyLines) throws IOException {
        Files.createDirectories(directory);
        // OpenSSH's privilege separation needs this folder; Debian creates it only when its sshd service runs.
        Files.createDirectories(Path.of("/run/sshd"));
        Path hostKey = directory.resolve("ssh_host_ed25519_key");
        OpenSsh.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()));
        Path authorizedKeys = directory.resolve("authorized_keys");
        Files.write(authorizedKeys, authorizedKeyLines);

        int port = freePort();
        Path config = directory.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "HostKey " + hostKey,
                "AuthorizedKeysFile " + authorizedKeys,
                "PidFile none",
                "StrictModes no",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "AllowTcpForwarding yes",
                "Subsystem sftp internal-sftp",
                "LogLevel ERROR",
                ""));

        Process process = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("sshd.log").toFile())
                .start();
        WorkspaceSshd sshd = new WorkspaceSshd(directory, authorizedKeys, port, process);
        await().atMost(Duration.ofSeconds(10)).until(sshd::acceptsConnections);
        return sshd;
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    int port() {
        return port;
    }

    Path directory() {
        return directory;
    }

    private boolean acceptsConnections() {
        if (!process.isAlive()) {
            throw new IllegalStateException("sshd exited: " + readLog());
        }
        try (Socket socket = new Socket()) {
            socket.connect(address(), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    String readLog() {
        try {
            return Files.readString(directory.resolve("sshd.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        // Process.destroy sends SIGTERM to this process id only; sshd's per-connection children exit with it.
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
