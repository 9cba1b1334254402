package io.mlhub.hub.spawn.process;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.spawn.WorkspaceRef;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The record the process spawner keeps about one workspace in its {@code state.json}, so that a restarted hub
 * finds and adopts processes that still run.
 *
 * @param hubName the hub that started it
 * @param user the workspace's user
 * @param server the server name, {@code ""} for the default server
 * @param workspace the workspace process, or {@code null} before the first start
 * @param sshd its sshd process, or {@code null} when it runs none
 * @param port the loopback port of its web server
 * @param sshPort the loopback port of its sshd, or {@code 0}
 * @param expiresAt when it expires, or {@code null}
 * @param stopped whether it was stopped on purpose
 * @param exitCode the workspace process's exit code once this hub saw it exit, or {@code null}
 */
record WorkspaceState(
        String hubName,
        String user,
        String server,
        @Nullable ProcessId workspace,
        @Nullable ProcessId sshd,
        int port,
        int sshPort,
        @Nullable Instant expiresAt,
        boolean stopped,
        @Nullable Integer exitCode) {
    WorkspaceState {
        requireNonNull(hubName, "hubName");
        requireNonNull(user, "user");
        requireNonNull(server, "server");
    }

    WorkspaceRef ref() {
        return new WorkspaceRef(hubName, user, server);
    }

    WorkspaceState withExit(@Nullable Integer code) {
        return new WorkspaceState(hubName, user, server, workspace, sshd, port, sshPort, expiresAt, stopped, code);
    }

    WorkspaceState asStopped(@Nullable Integer code) {
        return new WorkspaceState(hubName, user, server, workspace, sshd, port, sshPort, expiresAt, true, code);
    }

    /**
     * A process id plus its start time, so that a process id the kernel reused for another process is not
     * mistaken for the workspace.
     */
    record ProcessId(long pid, @Nullable Instant startedAt) {}
}
