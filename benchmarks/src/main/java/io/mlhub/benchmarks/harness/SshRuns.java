package io.mlhub.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSH measures with the OpenSSH client: copy throughput ({@code head -c SIZE /dev/zero | ssh HOST 'cat >
 * /dev/null'}), connection set-up time ({@code ssh HOST true}) and {@link #SESSIONS} sessions open at once.
 * {@code direct} goes straight to an sshd standing in for a workspace, {@code openssh-jump} through a second sshd as
 * jump host ({@code ssh -J}), both on the targets' core. {@code sshmux} is the product as users run it: {@code
 * mlhub.jar serve} with the process spawner, whose workspace runs its own sshd, reached with the SSH config block
 * the hub generates for that workspace ({@code ProxyJump} to the hub's public port).
 */
final class SshRuns {
    private static final Logger logger = LoggerFactory.getLogger(SshRuns.class);

    static final List<String> SERVERS = List.of("direct", "openssh-jump", "sshmux");
    /** Sessions held open at once by the {@code ssh-sessions} measure. */
    static final int SESSIONS = 200;

    private final Stack stack;
    private final Report report;
    private Path clientConfig;
    private Path sshmuxConfig;
    private String sshmuxAlias;
    private String sshmuxMissing = "not started";
    private int workspacePort;
    private int jumpPort;

    SshRuns(Stack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    static void declare(Report report, long copyBytes) {
        String size = copyBytes >= 1L << 30 ? (copyBytes >> 30) + " GiB" : (copyBytes >> 20) + " MiB";
        report.declare(new Measure("ssh-copy", "SSH copy of " + size + " from /dev/zero", "MiB/s", true, null, null,
                "direct"));
        report.declare(new Measure("ssh-setup", "SSH connection set-up (`ssh HOST true`)", "ms", false, null, null,
                "direct"));
        report.declare(new Measure("ssh-sessions", SESSIONS + " SSH sessions open at once, failed sessions",
                "sessions", false, null, null, null));
        report.goal(Goal.ratio("ssh-copy", "sshmux", "openssh-jump", 0.8, "≥ 0.8× the OpenSSH jump host"));
        report.goal(Goal.ratio("ssh-setup", "sshmux", "openssh-jump", 1.2, "≤ 1.2× the OpenSSH jump host"));
        report.goal(Goal.atMost("ssh-sessions", "sshmux", 0, "no failed session"));
    }

    /** Generates keys, starts the workspace sshd and the jump-host sshd, then the product and its workspace. */
    void start() throws IOException, InterruptedException {
        Path dir = stack.dir();
        Path hostKey = dir.resolve("ssh_host_ed25519_key");
        Path userKey = dir.resolve("id_ed25519");
        Stack.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()));
        Stack.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", userKey.toString()));
        Path authorized = dir.resolve("authorized_keys");
        Files.copy(dir.resolve("id_ed25519.pub"), authorized);
        clientConfig = dir.resolve("ssh_config");
        Files.writeString(clientConfig, AnchorConfigs.sshClient(userKey));
        // sshd refuses to start without its privilege separation folder, which the Debian service creates.
        Files.createDirectories(Path.of("/run/sshd"));

        workspacePort = Stack.freePort();
        jumpPort = Stack.freePort();
        for (int port : new int[] {workspacePort, jumpPort}) {
            Path config = dir.resolve("sshd-" + port + ".conf");
            Files.writeString(config, AnchorConfigs.sshd(dir, port, hostKey, authorized));
            String name = port == workspacePort ? "sshd-workspace" : "sshd-jump";
            stack.launch(name, List.of("/usr/sbin/sshd", "-D", "-e", "-f", config.toString()), Map.of(), port);
        }
        startSshmux(userKey);
    }

    /**
     * Starts the product with a workspace for {@code admin} and writes the config block the hub generated for it,
     * with this run's key as identity, in front of the same defaults the other rows use. A product that does not
     * start leaves the sshmux rows with the reason.
     */
    private void startSshmux(Path userKey) throws InterruptedException {
        try {
            ProductSsh.Access access = new ProductSsh(stack).start(userKey.resolveSibling(userKey.getFileName() + ".pub"));
            sshmuxConfig = stack.dir().resolve("ssh_config_sshmux");
            Files.writeString(sshmuxConfig, access.configWith(userKey) + AnchorConfigs.sshClient(userKey));
            sshmuxAlias = access.alias();
            sshmuxMissing = null;
        } catch (IOException e) {
            logger.warn("start failed server=sshmux error={}", e.getMessage());
            sshmuxMissing = "failed to start: " + HttpRuns.firstLine(e);
        }
    }

    void runRepeat(int repeat, int setups, long copyBytes) throws InterruptedException {
        for (String server : HttpRuns.rotated(SERVERS, repeat)) {
            if (server.equals("sshmux") && sshmuxMissing != null) {
                report.note("ssh-copy", server, sshmuxMissing);
                report.note("ssh-setup", server, sshmuxMissing);
                continue;
            }
            try {
                // One untimed login first on every server, so that the product's JVM has loaded and compiled its
                // login path before the timed ones, as the HTTP measures warm every server up.
                Commands.run(ssh(server, "true"), Duration.ofSeconds(30));
                for (int i = 0; i < setups; i++) {
                    long start = System.nanoTime();
                    Commands.run(ssh(server, "true"), Duration.ofSeconds(30));
                    report.add("ssh-setup", server, (System.nanoTime() - start) / 1e6);
                }

                List<String> copy = List.of("bash", "-c", "head -c " + copyBytes + " /dev/zero | "
                        + String.join(" ", ssh(server, "'cat > /dev/null'")));
                long start = System.nanoTime();
                Commands.run(copy, Duration.ofSeconds(300));
                double mibPerSecond = copyBytes / (1024.0 * 1024) / ((System.nanoTime() - start) / 1e9);
                report.add("ssh-copy", server, mibPerSecond);
                logger.info("run scenario=ssh server={} copyMibPerSec={}", server, Math.round(mibPerSecond));
            } catch (IOException e) {
                logger.warn("run failed scenario=ssh server={} error={}", server, e.getMessage());
                report.note("ssh-copy", server, "failed: " + HttpRuns.firstLine(e));
                report.note("ssh-setup", server, "failed: " + HttpRuns.firstLine(e));
            }
        }
    }

    /**
     * Holds {@link #SESSIONS} sessions open at once through each jump host and records how many failed. Runs once
     * per run, because each session starts two OpenSSH clients and several sshd processes, and opening them all
     * took about two minutes on a loaded 2-core machine.
     */
    void runSessions() throws InterruptedException {
        for (String server : List.of("openssh-jump", "sshmux")) {
            if (server.equals("sshmux") && sshmuxMissing != null) {
                report.note("ssh-sessions", server, sshmuxMissing);
                continue;
            }
            SshSessions.Result result = SshSessions.run(client(server), SESSIONS);
            report.add("ssh-sessions", server, result.failures());
            String note = "opening took " + Math.round(result.seconds()) + " s";
            if (result.failures() > 0) {
                note += "; first failure: " + result.firstError();
            }
            report.note("ssh-sessions", server, note);
        }
    }

    private List<String> ssh(String server, String remoteCommand) {
        List<String> command = new ArrayList<>(client(server));
        command.add(remoteCommand);
        return command;
    }

    /** Returns the ssh command line that logs in to the workspace through {@code server}, without a remote command. */
    private List<String> client(String server) {
        if (server.equals("sshmux")) {
            return List.of("ssh", "-F", sshmuxConfig.toString(), sshmuxAlias);
        }
        List<String> command = new ArrayList<>(List.of("ssh", "-F", clientConfig.toString()));
        if (server.equals("openssh-jump")) {
            command.addAll(List.of("-J", "root@127.0.0.1:" + jumpPort));
        }
        command.addAll(List.of("-p", Integer.toString(workspacePort), "127.0.0.1"));
        return command;
    }
}
