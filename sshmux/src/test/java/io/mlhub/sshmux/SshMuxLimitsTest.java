package io.mlhub.sshmux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.mlhub.sshmux.OpenSsh.Result;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Login rate limits, idle timeouts, host key persistence, the loopback relay and the generated SSH config, each
 * with a jump host of its own and the real OpenSSH client.
 */
@Tag("slow")
class SshMuxLimitsTest {

    @TempDir
    Path dir;

    private final InMemorySshAuthority authority = new InMemorySshAuthority();

    private Path clientConfig(String name, Path key) {
        return OpenSsh.writeClientConfig(dir.resolve(name + ".ssh_config"), key, dir.resolve(name + ".known_hosts"));
    }

    private static List<String> ssh(Path config, int port, String... args) {
        List<String> command = new ArrayList<>(List.of("ssh", "-F", config.toString(), "-p", String.valueOf(port)));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void repeatedFailuresAreRateLimited() throws Exception {
        Path aliceKey = OpenSsh.generateKey(dir.resolve("alice"));
        Path strangerKey = OpenSsh.generateKey(dir.resolve("stranger"));
        authority.addKey("alice", OpenSsh.publicKey(aliceKey));
        SshMuxConfig config = SshMuxConfig.builder(dir.resolve("hub"))
                .authFailureLimit(3, Duration.ofHours(1))
                .build();
        try (SshMux mux = SshMux.start(config, authority);
                AcceptorPort port = new AcceptorPort(mux.acceptor(), AcceptorPort.Mode.SNIFFED)) {
            Path alice = clientConfig("alice", aliceKey);
            Path stranger = clientConfig("stranger", strangerKey);
            Result before = OpenSsh.run(ssh(alice, port.port(), "alice@127.0.0.1", "true"));

            List<Result> failures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                failures.add(OpenSsh.run(ssh(stranger, port.port(), "alice@127.0.0.1", "true")));
            }
            Result after = OpenSsh.run(ssh(alice, port.port(), "alice@127.0.0.1", "true"));

            assertThat(before.exitCode()).as(before.toString()).isZero();
            assertThat(failures).allSatisfy(failure -> assertThat(failure.exitCode()).isEqualTo(255));
            assertThat(after.exitCode()).as("right key after 3 failures from this address").isEqualTo(255);
            assertThat(after.stderr()).contains("Permission denied (publickey)");
        }
    }

    @Test
    void sessionWithoutChannelsIsClosedWhenIdle() throws Exception {
        Path aliceKey = OpenSsh.generateKey(dir.resolve("alice"));
        authority.addKey("alice", OpenSsh.publicKey(aliceKey));
        SshMuxConfig config = SshMuxConfig.builder(dir.resolve("hub"))
                .keepalive(Duration.ofMillis(200), 3)
                .idleTimeout(Duration.ofSeconds(1))
                .build();
        try (SshMux mux = SshMux.start(config, authority);
                AcceptorPort port = new AcceptorPort(mux.acceptor(), AcceptorPort.Mode.SNIFFED)) {
            Process idle = new ProcessBuilder(ssh(clientConfig("alice", aliceKey), port.port(), "-N",
                    "alice@127.0.0.1"))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("idle.log").toFile())
                    .start();
            try {
                boolean exited = idle.waitFor(20, TimeUnit.SECONDS);

                assertThat(exited).as("ssh -N exits after the hub closed the idle session").isTrue();
                await().atMost(Duration.ofSeconds(5)).until(() -> mux.sessionCount() == 0);
            } finally {
                idle.destroyForcibly();
            }
        }
    }

    @Test
    void answeredKeepalivesKeepIdleClientConnected() throws Exception {
        Path aliceKey = OpenSsh.generateKey(dir.resolve("alice"));
        authority.addKey("alice", OpenSsh.publicKey(aliceKey));
        SshMuxConfig config = SshMuxConfig.builder(dir.resolve("hub"))
                .keepalive(Duration.ofMillis(200), 2)
                .build();
        try (SshMux mux = SshMux.start(config, authority);
                AcceptorPort port = new AcceptorPort(mux.acceptor(), AcceptorPort.Mode.SNIFFED)) {
            // ssh -N sends nothing of its own, so only its replies to the hub's keepalives count as traffic.
            // The hub's idle timeout here is 2 x 200 ms.
            Process client = new ProcessBuilder(ssh(clientConfig("alice", aliceKey), port.port(), "-N",
                    "alice@127.0.0.1"))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("keepalive.log").toFile())
                    .start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> mux.sessionCount() == 1);
                Thread.sleep(2000);

                assertThat(client.isAlive()).as("client answering keepalives stays connected past 2 x 200 ms")
                        .isTrue();
            } finally {
                client.destroyForcibly();
            }
        }
    }

    @Test
    void hostKeysAreReusedAcrossRestarts() throws Exception {
        Path data = dir.resolve("hub");
        List<HostKey> first;
        try (SshMux mux = SshMux.start(SshMuxConfig.builder(data).build(), authority)) {
            first = mux.hostKeys();
        }
        List<HostKey> second;
        try (SshMux mux = SshMux.start(SshMuxConfig.builder(data).build(), authority)) {
            second = mux.hostKeys();
        }

        assertThat(first).extracting(HostKey::type).containsExactly("ssh-ed25519", "ssh-rsa");
        assertThat(second).isEqualTo(first);
        for (HostKey key : first) {
            Path file = dir.resolve("key.pub");
            Files.writeString(file, key.publicKey() + "\n");
            Result fingerprint = OpenSsh.run(List.of("ssh-keygen", "-l", "-E", "sha256", "-f", file.toString()));
            assertThat(fingerprint.stdout()).as("ssh-keygen agrees on the fingerprint").contains(key.fingerprint());
        }
        assertThat(Files.list(data).map(path -> path.getFileName().toString()).toList())
                .contains(HostKeys.ED25519_FILE, HostKeys.RSA_FILE);
        assertThat(Files.getPosixFilePermissions(data.resolve(HostKeys.ED25519_FILE)))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(data.resolve(HostKeys.RSA_FILE)))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void loopbackRelayRunsCommandInWorkspace() throws Exception {
        Path aliceKey = OpenSsh.generateKey(dir.resolve("alice"));
        authority.addKey("alice", OpenSsh.publicKey(aliceKey));
        try (WorkspaceSshd sshd = WorkspaceSshd.start(dir.resolve("sshd"), List.of(OpenSsh.publicKeyLine(aliceKey)));
                SshMux mux = SshMux.start(SshMuxConfig.builder(dir.resolve("hub")).build(), authority);
                AcceptorPort sniffed = new AcceptorPort(mux.loopbackAcceptor(), AcceptorPort.Mode.SNIFFED);
                AcceptorPort silent = new AcceptorPort(mux.loopbackAcceptor(), AcceptorPort.Mode.SILENT)) {
            authority.addWorkspace(SshTarget.defaultServer("alice"), sshd.address(), true);
            Path config = clientConfig("alice", aliceKey);

            Result viaSniffed = OpenSsh.run(List.of("ssh", "-F", config.toString(), "-J",
                    "alice@127.0.0.1:" + sniffed.port(), "root@alice", "echo relayed"));
            Result viaSilent = OpenSsh.run(List.of("ssh", "-F", config.toString(), "-J",
                    "alice@127.0.0.1:" + silent.port(), "root@alice", "echo relayed"));

            assertThat(viaSniffed.exitCode()).as(viaSniffed.toString()).isZero();
            assertThat(viaSniffed.stdout()).isEqualTo("relayed\n");
            assertThat(viaSilent.exitCode()).as(viaSilent.toString()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> mux.relayedConnectionCount() == 0);
        }
    }

    @Test
    void generatedConfigPinsHubKeyAndReachesWorkspace() throws Exception {
        Path aliceKey = OpenSsh.generateKey(dir.resolve("alice"));
        authority.addKey("alice", OpenSsh.publicKey(aliceKey));
        try (WorkspaceSshd sshd = WorkspaceSshd.start(dir.resolve("sshd"), List.of(OpenSsh.publicKeyLine(aliceKey)));
                SshMux bootstrap = SshMux.start(SshMuxConfig.builder(dir.resolve("probe")).build(), authority);
                AcceptorPort probe = new AcceptorPort(bootstrap.acceptor(), AcceptorPort.Mode.SNIFFED)) {
            authority.addWorkspace(SshTarget.namedServer("alice", "lab"), sshd.address(), true);
            int publicPort = probe.port();
            // The config names the hub's public port, so the jump host under test is the one behind that port.
            SshMuxConfig config = SshMuxConfig.builder(dir.resolve("probe")).publicAddress("127.0.0.1", publicPort)
                    .jumpHostAlias("hub-test").build();
            SshAccess access = new SshAccess(config, bootstrap.hostKeys());
            WorkspaceAccess info = access.forWorkspace("alice",
                    new SshWorkspace(SshTarget.namedServer("alice", "lab"), "root", List.of()), aliceKey.toString());

            // Run the setup command in a home folder of its own; OpenSSH reads ~ from the passwd entry, so the
            // written config is pointed at that folder before ssh reads it.
            Path home = dir.resolve("home");
            Files.createDirectories(home);
            ProcessBuilder setup = new ProcessBuilder("bash", "-c", info.setupCommand());
            setup.environment().put("HOME", home.toString());
            Process process = setup.redirectErrorStream(true).start();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes())).isZero();
            Path writtenConfig = home.resolve(".ssh/config");
            String configText = Files.readString(writtenConfig).replace("~/.ssh/", home + "/.ssh/");
            Files.writeString(writtenConfig, configText + "Host *\n    BatchMode yes\n    IdentitiesOnly yes\n");

            Result result = OpenSsh.run(List.of("ssh", "-F", writtenConfig.toString(), "lab.alice", "echo pinned"));
            Result again = OpenSsh.run(List.of("bash", "-c", "HOME=" + home + " && " + info.setupCommand()
                    + " && grep -c '^Host ' " + writtenConfig));

            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.stdout()).isEqualTo("pinned\n");
            assertThat(configText).contains("StrictHostKeyChecking yes").contains("HostKeyAlias hub-test")
                    .contains("IdentityFile " + aliceKey);
            assertThat(Files.readAllLines(home.resolve(".ssh/known_hosts.hub-test")))
                    .as("hub keys pinned, then the workspace key accepted on first use")
                    .hasSize(3)
                    .containsAll(info.knownHostsLines());
            assertThat(again.stdout()).as("running the setup twice adds nothing").isEqualTo("3\n");
        }
    }
}
