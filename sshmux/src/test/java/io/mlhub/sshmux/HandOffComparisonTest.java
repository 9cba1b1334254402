package io.mlhub.sshmux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import io.mlhub.proxy.ssh.SshAcceptor;
import io.mlhub.sshmux.OpenSsh.Result;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the same connections and the same copy through the in-process acceptor and the loopback relay, and logs
 * how long each took. It checks only that both work: timings on a shared test machine are too noisy to assert,
 * and the benchmarks module owns speed.
 */
@Tag("slow")
class HandOffComparisonTest {

    private static final Logger logger = LoggerFactory.getLogger(HandOffComparisonTest.class);

    // Raise these for a closer look, e.g. -Dsshmux.handoff.rounds=3 -Dsshmux.handoff.copyMiB=64.
    private static final int ROUNDS = Integer.getInteger("sshmux.handoff.rounds", 1);
    private static final int CONNECTIONS = Integer.getInteger("sshmux.handoff.connections", 3);
    private static final int COPY_BYTES = Integer.getInteger("sshmux.handoff.copyMiB", 16) << 20;

    @TempDir
    Path dir;

    @Test
    void bothHandOffsConnectAndCopy() throws Exception {
        Path aliceKey = OpenSsh.generateKey(dir.resolve("alice"));
        InMemorySshAuthority authority = new InMemorySshAuthority();
        authority.addKey("alice", OpenSsh.publicKey(aliceKey));
        Path payload = dir.resolve("payload.bin");
        writeRandom(payload, COPY_BYTES);
        Path config = OpenSsh.writeClientConfig(dir.resolve("ssh_config"), aliceKey, dir.resolve("known_hosts"));

        try (WorkspaceSshd sshd = WorkspaceSshd.start(dir.resolve("sshd"), List.of(OpenSsh.publicKeyLine(aliceKey)));
                SshMux mux = SshMux.start(SshMuxConfig.builder(dir.resolve("hub")).build(), authority)) {
            authority.addWorkspace(SshTarget.defaultServer("alice"), sshd.address(), true);

            for (int round = 0; round < ROUNDS; round++) {
                measure("in-process", mux.acceptor(), config, payload);
                measure("loopback", mux.loopbackAcceptor(), config, payload);
            }
        }
    }

    private void measure(String name, SshAcceptor acceptor, Path config, Path payload) throws Exception {
        try (AcceptorPort port = new AcceptorPort(acceptor, AcceptorPort.Mode.SNIFFED)) {
            String jump = "alice@127.0.0.1:" + port.port();
            long hubMillis = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                Result result = OpenSsh.run(List.of("ssh", "-F", config.toString(), "-p", String.valueOf(port.port()),
                        "alice@127.0.0.1", "true"));
                assertThat(result.exitCode()).as(result.toString()).isZero();
                hubMillis += result.millis();
            }
            long connectMillis = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                Result result = OpenSsh.run(List.of("ssh", "-F", config.toString(), "-J", jump, "root@alice", "true"));
                assertThat(result.exitCode()).as(result.toString()).isZero();
                connectMillis += result.millis();
            }

            Result copy = OpenSsh.run(List.of("ssh", "-F", config.toString(), "-J", jump, "root@alice",
                    "wc -c"), payload);

            assertThat(copy.stdout().trim()).as(copy.toString()).isEqualTo(String.valueOf(COPY_BYTES));
            logger.info("hand-off {}: ssh to the hub avg={} ms, ssh -J true avg={} ms over {} runs each, copy of {} MiB"
                    + " took {} ms", name, hubMillis / CONNECTIONS, connectMillis / CONNECTIONS, CONNECTIONS,
                    COPY_BYTES >> 20, copy.millis());
        }
    }

    private static void writeRandom(Path file, int size) throws Exception {
        Random random = new Random(1);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }
}
