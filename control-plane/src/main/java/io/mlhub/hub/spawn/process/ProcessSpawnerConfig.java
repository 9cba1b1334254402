package io.mlhub.hub.spawn.process;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the {@link ProcessSpawner}.
 *
 * @param dataDirectory the hub's data folder; workspaces live in its {@code workspaces} subfolder
 * @param command the workspace command; {@code {port}} in an argument becomes the workspace's port
 * @param stopTimeout how long a stop waits after SIGTERM before it sends SIGKILL
 * @param sshd whether each workspace gets its own OpenSSH sshd on a loopback port
 * @param sshdBinary the sshd executable, run as {@code sshd -D -e -f <config>}
 * @param sshKeygenBinary the ssh-keygen executable that makes each workspace's host key
 * @param logLines how many of the last log lines a status carries
 */
public record ProcessSpawnerConfig(
        Path dataDirectory,
        List<String> command,
        Duration stopTimeout,
        boolean sshd,
        Path sshdBinary,
        Path sshKeygenBinary,
        int logLines) {
    public ProcessSpawnerConfig {
        requireNonNull(dataDirectory, "dataDirectory");
        command = List.copyOf(requireNonNull(command, "command"));
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command: [] (expected: a program and its arguments)");
        }
        requireNonNull(stopTimeout, "stopTimeout");
        if (stopTimeout.isNegative()) {
            throw new IllegalArgumentException("stopTimeout: " + stopTimeout + " (expected: >= 0)");
        }
        requireNonNull(sshdBinary, "sshdBinary");
        requireNonNull(sshKeygenBinary, "sshKeygenBinary");
        if (logLines < 1) {
            throw new IllegalArgumentException("logLines: " + logLines + " (expected: >= 1)");
        }
    }

    /**
     * Returns the defaults: {@code jupyterhub-singleuser --ip=127.0.0.1 --port={port}} (plus
     * {@code --allow-root} when the hub runs as root), a 10 s stop timeout, an sshd per workspace from
     * {@code /usr/sbin/sshd}, and 30 log lines.
     */
    public static ProcessSpawnerConfig defaults(Path dataDirectory) {
        return new ProcessSpawnerConfig(dataDirectory, defaultCommand(), Duration.ofSeconds(10), true,
                Path.of("/usr/sbin/sshd"), Path.of("/usr/bin/ssh-keygen"), 30);
    }

    /** Returns a copy that runs {@code command} instead. */
    public ProcessSpawnerConfig withCommand(List<String> command) {
        return new ProcessSpawnerConfig(dataDirectory, command, stopTimeout, sshd, sshdBinary, sshKeygenBinary,
                logLines);
    }

    /** Returns a copy with sshd per workspace turned on or off. */
    public ProcessSpawnerConfig withSshd(boolean sshd) {
        return new ProcessSpawnerConfig(dataDirectory, command, stopTimeout, sshd, sshdBinary, sshKeygenBinary,
                logLines);
    }

    /** Returns a copy with another stop timeout. */
    public ProcessSpawnerConfig withStopTimeout(Duration stopTimeout) {
        return new ProcessSpawnerConfig(dataDirectory, command, stopTimeout, sshd, sshdBinary, sshKeygenBinary,
                logLines);
    }

    private static List<String> defaultCommand() {
        List<String> command = new ArrayList<>(List.of("jupyterhub-singleuser", "--ip=127.0.0.1", "--port={port}"));
        // The notebook server refuses to run as root without this flag.
        if ("root".equals(System.getProperty("user.name"))) {
            command.add("--allow-root");
        }
        return command;
    }
}
