package io.mlhub.sshmux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import io.mlhub.sshmux.OpenSsh.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jump host end to end with the real OpenSSH client and real OpenSSH sshd processes as workspaces, through
 * a Netty server that hands connections to {@link SshMux#acceptor()} like the public port does.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshMuxOpenSshTest {

    private Path dir;
    private final InMemorySshAuthority authority = new InMemorySshAuthority();
    private Path aliceKey;
    private Path bobKey;
    private Path aliceConfig;
    private Path bobConfig;
    private WorkspaceSshd aliceSshd;
    private WorkspaceSshd bobSshd;
    private SshMux mux;
    private AcceptorPort port;
    private AcceptorPort silentPort;

    @BeforeAll
    void startHubAndWorkspaces(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        aliceKey = OpenSsh.generateKey(dir.resolve("alice"));
        bobKey = OpenSsh.generateKey(dir.resolve("bob"));
        authority.addKey("alice", OpenSsh.publicKey(aliceKey));
        authority.addKey("bob", OpenSsh.publicKey(bobKey));

        // Both workspaces accept both keys, so that only the hub keeps alice out of bob's workspace.
        List<String> keys = List.of(OpenSsh.publicKeyLine(aliceKey), OpenSsh.publicKeyLine(bobKey));
        aliceSshd = WorkspaceSshd.start(dir.resolve("alice-sshd"), keys);
        bobSshd = WorkspaceSshd.start(dir.resolve("bob-sshd"), keys);
        authority.addWorkspace(SshTarget.defaultServer("alice"), aliceSshd.address(), true);
        authority.addWorkspace(SshTarget.namedServer("alice", "lab"), aliceSshd.address(), true);
        authority.addWorkspace(SshTarget.namedServer("alice", "old"), aliceSshd.address(), false);
        authority.addWorkspace(SshTarget.defaultServer("bob"), bobSshd.address(), true);

        SshMuxConfig config = SshMuxConfig.builder(dir.resolve("hub-data")).publicAddress("127.0.0.1", 8443).build();
        mux = SshMux.start(config, authority);
        port = new AcceptorPort(mux.acceptor(), AcceptorPort.Mode.SNIFFED);
        silentPort = new AcceptorPort(mux.acceptor(), AcceptorPort.Mode.SILENT);
        aliceConfig = clientConfig("alice", aliceKey);
        bobConfig = clientConfig("bob", bobKey);
    }

    @AfterAll
    void stopAll() throws Exception {
        // Each may be missing when start-up failed half-way; the sshd processes must be stopped in any case.
        for (AutoCloseable resource : new AutoCloseable[] {port, silentPort, mux, aliceSshd, bobSshd}) {
            if (resource != null) {
                resource.close();
            }
        }
    }

    private Path clientConfig(String name, Path key) {
        return OpenSsh.writeClientConfig(dir.resolve(name + ".ssh_config"), key, dir.resolve(name + ".known_hosts"));
    }

    private List<String> ssh(Path config, String... args) {
        List<String> command = new ArrayList<>(List.of("ssh", "-F", config.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private String jump(String user, AcceptorPort via) {
        return user + "@127.0.0.1:" + via.port();
    }

    @Test
    void jumpRunsCommandInWorkspace() {
        Result result = OpenSsh.run(ssh(aliceConfig, "-J", jump("alice", port), "root@alice", "echo ran-in-$PPID"));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).startsWith("ran-in-");
    }

    @Test
    void jumpReachesNamedServer() {
        Result result = OpenSsh.run(ssh(aliceConfig, "-J", jump("alice", port), "root@lab.alice", "echo lab"));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).isEqualTo("lab\n");
    }

    @Test
    void silentClientConnectsThroughAcceptor() throws IOException {
        Result result = OpenSsh.run(ssh(aliceConfig, "-J", jump("alice", silentPort), "root@alice", "echo silent"));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).isEqualTo("silent\n");

        // A client that sends nothing before the server's banner gets the banner.
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", silentPort.port()), 5000);
            socket.setSoTimeout(10_000);
            byte[] banner = socket.getInputStream().readNBytes(8);
            assertThat(new String(banner, StandardCharsets.US_ASCII)).isEqualTo("SSH-2.0-");
        }
    }

    @Test
    void scpCopiesFileBothWays() throws IOException {
        Path upload = dir.resolve("scp-up.bin");
        byte[] content = randomBytes(300_000);
        Files.write(upload, content);
        Path remote = aliceSshd.directory().resolve("scp-remote.bin");
        Path download = dir.resolve("scp-down.bin");

        Result up = OpenSsh.run(List.of("scp", "-F", aliceConfig.toString(), "-J", jump("alice", port),
                upload.toString(), "root@alice:" + remote));
        Result down = OpenSsh.run(List.of("scp", "-F", aliceConfig.toString(), "-J", jump("alice", port),
                "root@alice:" + remote, download.toString()));

        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(Files.readAllBytes(remote)).isEqualTo(content);
        assertThat(down.exitCode()).as(down.toString()).isZero();
        assertThat(Files.readAllBytes(download)).isEqualTo(content);
    }

    @Test
    void sftpCopiesFileBothWays() throws IOException {
        Path upload = dir.resolve("sftp-up.bin");
        byte[] content = randomBytes(200_000);
        Files.write(upload, content);
        Path remote = aliceSshd.directory().resolve("sftp-remote.bin");
        Path download = dir.resolve("sftp-down.bin");
        Path batch = dir.resolve("sftp.batch");
        Files.writeString(batch, "put " + upload + " " + remote + "\nget " + remote + " " + download + "\n");

        Result result = OpenSsh.run(List.of("sftp", "-F", aliceConfig.toString(), "-J", jump("alice", port),
                "-b", batch.toString(), "root@alice"));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Files.readAllBytes(remote)).isEqualTo(content);
        assertThat(Files.readAllBytes(download)).isEqualTo(content);
    }

    @Test
    void localForwardReachesHttpServerThroughWorkspace() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            byte[] body = "hello through the workspace".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        int localPort = WorkspaceSshd.freePort();
        Process forward = new ProcessBuilder(ssh(aliceConfig, "-J", jump("alice", port), "-N",
                "-o", "ExitOnForwardFailure=yes",
                "-L", "127.0.0.1:" + localPort + ":127.0.0.1:" + http.getAddress().getPort(), "root@alice"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("forward.log").toFile())
                .start();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + localPort + "/")).build();

            String body = await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> client.send(request, HttpResponse.BodyHandlers.ofString()).body(),
                            text -> !text.isEmpty());

            assertThat(body).isEqualTo("hello through the workspace");
        } finally {
            forward.destroy();
            forward.waitFor(5, TimeUnit.SECONDS);
            http.stop(0);
        }
    }

    @Test
    void concurrentJumpsCopyIntact() throws Exception {
        Path upload = dir.resolve("concurrent.bin");
        byte[] content = randomBytes(4 << 20);
        Files.write(upload, content);
        String expected = sha256(content);
        List<Future<Result>> runs = new ArrayList<>();

        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 6; i++) {
                runs.add(executor.submit(() -> OpenSsh.run(ssh(aliceConfig, "-J", jump("alice", port), "root@alice",
                        "sha256sum"), upload)));
            }

            for (Future<Result> run : runs) {
                Result result = run.get();
                assertThat(result.exitCode()).as(result.toString()).isZero();
                assertThat(result.stdout()).startsWith(expected);
            }
        }
    }

    @Test
    void otherUsersWorkspaceIsRejected() {
        Result result = OpenSsh.run(ssh(aliceConfig, "-J", jump("alice", port), "root@bob", "echo must-not-run"));

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stdout()).doesNotContain("must-not-run");
        assertThat(result.stderr()).contains("administratively prohibited").contains("may not reach workspace bob");
    }

    @Test
    void grantedUserReachesOthersWorkspace() {
        authority.grant("bob", SshTarget.namedServer("alice", "lab"));

        Result result = OpenSsh.run(ssh(bobConfig, "-J", jump("bob", port), "root@lab.alice", "echo granted"));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).isEqualTo("granted\n");
    }

    @Test
    void loginAsAnotherHubUserIsRejected() {
        Result result = OpenSsh.run(ssh(aliceConfig, "-p", String.valueOf(port.port()), "bob@127.0.0.1"));

        assertThat(result.exitCode()).isEqualTo(255);
        assertThat(result.stderr()).contains("Permission denied (publickey)");
    }

    @Test
    void arbitraryHostAndPortAreRejected() {
        String hub = "alice@127.0.0.1";
        String portOption = String.valueOf(port.port());

        Result byAddress = OpenSsh.run(ssh(aliceConfig, "-p", portOption, "-W", "127.0.0.1:" + aliceSshd.port(), hub));
        Result otherPort = OpenSsh.run(ssh(aliceConfig, "-p", portOption, "-W", "alice:2222", hub));
        Result dnsName = OpenSsh.run(ssh(aliceConfig, "-p", portOption, "-W", "localhost:22", hub));

        assertThat(byAddress.stderr()).contains("administratively prohibited").contains("not a workspace name");
        assertThat(otherPort.stderr()).contains("administratively prohibited").contains("only port 22");
        assertThat(dnsName.stderr()).contains("administratively prohibited").contains("workspace localhost does not");
        assertThat(List.of(byAddress.exitCode(), otherPort.exitCode(), dnsName.exitCode())).doesNotContain(0);
    }

    @Test
    void remoteForwardingIsRejected() {
        Result result = OpenSsh.run(ssh(aliceConfig, "-p", String.valueOf(port.port()), "-o",
                "ExitOnForwardFailure=yes", "-R", "127.0.0.1:0:127.0.0.1:22", "alice@127.0.0.1", "true"));

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("remote port forwarding failed");
    }

    @Test
    void shellOnHubPrintsHelpText() {
        Result exec = OpenSsh.run(ssh(aliceConfig, "-p", String.valueOf(port.port()), "alice@127.0.0.1", "id"));
        Result shell = OpenSsh.run(ssh(aliceConfig, "-tt", "-p", String.valueOf(port.port()), "alice@127.0.0.1"));

        assertThat(exec.exitCode()).as(exec.toString()).isZero();
        assertThat(exec.stdout())
                .contains("Hello alice")
                .contains("ssh -J alice@127.0.0.1:8443 root@alice")
                .contains("ssh -J alice@127.0.0.1:8443 root@lab.alice")
                .contains("Host lab.alice")
                .contains("ProxyJump mlhub")
                .contains(mux.hostKeys().get(0).fingerprint())
                .doesNotContain("old.alice")
                .doesNotContain("uid=");
        assertThat(shell.exitCode()).as(shell.toString()).isZero();
        assertThat(shell.stdout()).contains("Hello alice").contains("\r\n");
    }

    @Test
    void subsystemOnHubIsRejected() {
        Result sftp = OpenSsh.run(List.of("sftp", "-F", aliceConfig.toString(), "-P", String.valueOf(port.port()),
                "-b", "/dev/null", "alice@127.0.0.1"));

        assertThat(sftp.exitCode()).isNotZero();
    }

    @Test
    void stoppedWorkspaceIsRejectedWithMessage() {
        Result result = OpenSsh.run(ssh(aliceConfig, "-J", jump("alice", port), "root@old.alice", "true"));

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("administratively prohibited")
                .contains("workspace old.alice is stopped: start it on the hub's web page");
    }

    @Test
    void revokedKeyStopsWorking() throws IOException {
        Path carolKey = OpenSsh.generateKey(dir.resolve("carol"));
        Path carolConfig = clientConfig("carol", carolKey);
        authority.addKey("carol", OpenSsh.publicKey(carolKey));
        List<String> command = ssh(carolConfig, "-p", String.valueOf(port.port()), "carol@127.0.0.1", "true");
        Result before = OpenSsh.run(command);

        authority.revokeKey(OpenSsh.publicKey(carolKey));
        Result after = OpenSsh.run(command);

        assertThat(before.exitCode()).as(before.toString()).isZero();
        assertThat(after.exitCode()).isEqualTo(255);
        assertThat(after.stderr()).contains("Permission denied (publickey)");
    }

    @Test
    void stdioForwardPassesClientEofToWorkspace() throws Exception {
        try (EofReplyServer upstream = new EofReplyServer()) {
            authority.addWorkspace(SshTarget.namedServer("alice", "eof"), upstream.address(), true);
            Path input = dir.resolve("eof-input.bin");
            Files.write(input, randomBytes(100_000));

            Result result = OpenSsh.run(ssh(aliceConfig, "-p", String.valueOf(port.port()), "-W", "eof.alice:22",
                    "alice@127.0.0.1"), input);

            assertThat(result.stdout()).as(result.toString()).isEqualTo("received 100000 bytes\n");
        }
    }

    /**
     * OpenSSH's {@code ssh -W} ends its own side as soon as the channel gets EOF, so this test goes through a
     * {@code -L} forward on the hub, whose local sockets OpenSSH half-closes and keeps reading.
     */
    @Test
    void workspaceHalfCloseReachesClientAsEof() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            authority.addWorkspace(SshTarget.namedServer("alice", "half"), new InetSocketAddress("127.0.0.1",
                    upstream.getLocalPort()), true);
            CompletableFuture<Long> receivedAfterEof = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = upstream.accept()) {
                    socket.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
                    socket.shutdownOutput();
                    return socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    return -1L;
                }
            }, Executors.newVirtualThreadPerTaskExecutor());
            int localPort = WorkspaceSshd.freePort();
            Process forward = new ProcessBuilder(ssh(aliceConfig, "-p", String.valueOf(port.port()), "-N",
                    "-o", "ExitOnForwardFailure=yes", "-L", "127.0.0.1:" + localPort + ":half.alice:22",
                    "alice@127.0.0.1"))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("half.log").toFile())
                    .start();
            try (Socket socket = await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> new Socket("127.0.0.1", localPort), Socket::isConnected)) {
                socket.setSoTimeout(20_000);
                byte[] output = socket.getInputStream().readAllBytes();
                socket.getOutputStream().write(randomBytes(50_000));
                socket.shutdownOutput();

                assertThat(new String(output, StandardCharsets.US_ASCII)).isEqualTo("bye\n");
                assertThat(receivedAfterEof.get(20, TimeUnit.SECONDS)).as("bytes sent after the workspace's EOF")
                        .isEqualTo(50_000L);
            } finally {
                forward.destroy();
                forward.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void slowReaderHoldsBackWorkspaceData() throws Exception {
        try (FloodServer upstream = new FloodServer()) {
            authority.addWorkspace(SshTarget.namedServer("alice", "flood"), upstream.address(), true);
            // The test never reads the client's output, so its pipe fills and ssh stops taking channel data.
            Process client = new ProcessBuilder(ssh(aliceConfig, "-p", String.valueOf(port.port()), "-W",
                    "flood.alice:22", "alice@127.0.0.1"))
                    .redirectError(dir.resolve("flood.log").toFile())
                    .start();
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> upstream.written() > 0);
                long[] last = {-1};
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> {
                            long now = upstream.written();
                            boolean stalled = now == last[0];
                            last[0] = now;
                            return stalled;
                        });

                // Bounded by the SSH window (2 MiB for OpenSSH) plus socket and pipe buffers, not by the flood.
                assertThat(upstream.written()).as("bytes the workspace could write").isLessThan(32L << 20);
            } finally {
                client.destroyForcibly();
                client.waitFor(5, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(20)).until(upstream::peerGone);
        }
    }

    @Test
    void x11ForwardingIsRejected() {
        ProcessBuilder builder = new ProcessBuilder(ssh(aliceConfig, "-X", "-p", String.valueOf(port.port()),
                "alice@127.0.0.1", "true"));
        builder.environment().put("DISPLAY", "127.0.0.1:99");

        Result result = OpenSsh.run(builder);

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stderr()).contains("X11 forwarding request failed");
    }

    @Test
    void vanishedClientLeavesNoConnection() throws Exception {
        Process client = new ProcessBuilder(ssh(aliceConfig, "-J", jump("alice", port), "root@alice", "sleep 60"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("vanish.log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(20)).until(() -> establishedTo(aliceSshd.port()) > 0);

        client.destroyForcibly();
        client.waitFor(5, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(establishedTo(aliceSshd.port())).as("connections to the workspace").isZero();
            assertThat(mux.sessionCount()).as("ssh sessions on the hub").isZero();
        });
    }

    @Test
    void vanishedWorkspaceEndsClientChannel() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            authority.addWorkspace(SshTarget.namedServer("alice", "gone"),
                    new InetSocketAddress("127.0.0.1", upstream.getLocalPort()), true);
            Process client = new ProcessBuilder(ssh(aliceConfig, "-p", String.valueOf(port.port()), "-W",
                    "gone.alice:22", "alice@127.0.0.1"))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("gone.log").toFile())
                    .start();
            try (Socket accepted = upstream.accept()) {
                // A zero linger time makes close() send a reset, as when a workspace container is killed.
                accepted.setSoLinger(true, 0);
            }

            boolean exited = client.waitFor(20, TimeUnit.SECONDS);

            assertThat(exited).as("ssh -W ends when the workspace connection is reset").isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> mux.sessionCount() == 0);
        }
    }

    @Test
    void openSshClientNegotiatesAesWithoutSha1() {
        Result result = OpenSsh.run(ssh(aliceConfig, "-vv", "-p", String.valueOf(port.port()), "alice@127.0.0.1",
                "true"));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        // For example "debug1: kex: server->client cipher: aes128-ctr MAC: hmac-sha2-256-etm@openssh.com ...".
        List<String> choices = result.stderr().lines().filter(line -> line.contains("cipher:")).toList();
        assertThat(choices).as(result.stderr()).hasSize(2).allSatisfy(line -> assertThat(line)
                .containsPattern("cipher: aes(128|192|256)-(gcm@openssh.com|ctr) ")
                .doesNotContain("chacha20")
                .doesNotContain("sha1"));
    }

    @Test
    void killedJumpClientLeavesNoProxyProcess() throws Exception {
        Process client = new ProcessBuilder(ssh(aliceConfig, "-J", jump("alice", port), "root@alice", "sleep 600"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.log").toFile())
                .start();
        try {
            ProcessHandle proxy = await().atMost(Duration.ofSeconds(20)).until(() -> proxyChild(client), p -> p != null);
            await().atMost(Duration.ofSeconds(20)).until(() -> establishedTo(aliceSshd.port()) > 0);

            // SIGKILL of the outer client only: its ssh -W child reads the end of its input and must exit by itself.
            client.destroyForcibly();
            client.waitFor(5, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(proxy.isAlive()).as("ssh -W child of the killed client").isFalse();
                assertThat(establishedTo(aliceSshd.port())).as("connections to the workspace").isZero();
                assertThat(mux.sessionCount()).as("ssh sessions on the hub").isZero();
            });
        } finally {
            destroyTree(client);
        }
    }

    /**
     * A workspace that ends the connection first (a crashed sshd, or one over its {@code MaxStartups}) sends the
     * client a channel EOF; the outer client then gives up and its {@code ssh -W} child ends its side too. The
     * channel must close then, or the child waits for the close forever.
     */
    @Test
    void workspaceClosingFirstLeavesNoProxyProcess() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            authority.addWorkspace(SshTarget.namedServer("alice", "drop"),
                    new InetSocketAddress("127.0.0.1", upstream.getLocalPort()), true);
            Process client = new ProcessBuilder(ssh(aliceConfig, "-J", jump("alice", port), "root@drop.alice",
                    "true"))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("drop.log").toFile())
                    .start();
            try {
                Socket accepted = upstream.accept();
                ProcessHandle proxy = await().atMost(Duration.ofSeconds(20))
                        .until(() -> proxyChild(client), p -> p != null);
                // An orderly close (FIN), as sshd does when it drops a connection.
                accepted.close();

                assertThat(client.waitFor(20, TimeUnit.SECONDS)).as("outer ssh exits").isTrue();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(proxy.isAlive()).as("ssh -W child of the failed client").isFalse();
                    assertThat(mux.sessionCount()).as("ssh sessions on the hub").isZero();
                });
            } finally {
                destroyTree(client);
            }
        }
    }

    /** Returns the {@code ssh -W} process that OpenSSH starts for {@code -J}, or null while there is none. */
    private static ProcessHandle proxyChild(Process client) {
        return client.children()
                .filter(child -> child.info().arguments().map(args -> List.of(args).contains("-W")).orElse(false))
                .findFirst()
                .orElse(null);
    }

    private static void destroyTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Counts established TCP connections to {@code port} on this machine, as the kernel lists them in /proc. */
    private static int establishedTo(int port) throws IOException {
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                // Fields: sl, local_address, rem_address (hex address:port), st (01 is ESTABLISHED), ...
                if (fields.length > 3 && fields[3].equals("01") && fields[2].endsWith(":" + hexPort(port))) {
                    count++;
                }
            }
        }
        return count;
    }

    private static String hexPort(int port) {
        return String.format("%04X", port);
    }

    private static String sha256(byte[] content) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
