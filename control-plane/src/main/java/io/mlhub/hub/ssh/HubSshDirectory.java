package io.mlhub.hub.ssh;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.store.HubStore;
import io.mlhub.hub.store.ServerRecord;
import io.mlhub.hub.store.ServerState;
import io.mlhub.hub.store.UserRecord;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the hub's SSH service asks the control plane: which user a public key belongs to, and where a workspace's
 * sshd listens if the requesting user may reach it. Workspaces are named as SSH targets {@code <user>} for the
 * default server and {@code <server>.<user>} for a named one.
 *
 * <p>A user may reach their own workspaces; an administrator may reach everyone's.
 *
 * <p>TODO: the hub has no per-server access grants yet, so a user granted access to another user's server over the
 * web cannot reach it by SSH.
 */
public final class HubSshDirectory {
    private final HubStore store;
    private final Clock clock;

    public HubSshDirectory(HubStore store, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Why a workspace could not be resolved. */
    public enum Refusal {
        /** No such user or server. */
        UNKNOWN,
        /** The requester may not reach that workspace. */
        NOT_ALLOWED,
        /** The server exists but does not run, or runs no sshd. */
        NOT_RUNNING
    }

    /** The outcome of {@link #sshAddress}. */
    public sealed interface Resolution {}

    /** The workspace's sshd address. */
    public record Reachable(InetSocketAddress address) implements Resolution {
        public Reachable {
            requireNonNull(address, "address");
        }
    }

    /** A refusal with a message fit to show the SSH user. */
    public record Refused(Refusal reason, String message) implements Resolution {
        public Refused {
            requireNonNull(reason, "reason");
            requireNonNull(message, "message");
        }
    }

    /**
     * A running workspace a user may reach by SSH.
     *
     * @param owner the user who owns it
     * @param server the server name, {@code ""} for the default server
     * @param target its SSH target name
     * @param address where its sshd listens
     */
    public record SshWorkspace(String owner, String server, String target, InetSocketAddress address) {}

    /** Returns the SSH target name of a workspace: {@code <user>} or {@code <server>.<user>}. */
    public static String targetName(String owner, String server) {
        return server.isEmpty() ? owner : server + "." + owner;
    }

    /**
     * Returns the user who registered the key with this SHA-256 fingerprint ({@code SHA256:<base64>} as
     * {@code ssh-keygen -l} prints it; the prefix may be left out), if that user is authorized and not locked out.
     */
    public Optional<String> userForKeyFingerprint(String sha256Fingerprint) {
        String fingerprint = sha256Fingerprint.startsWith("SHA256:") ? sha256Fingerprint
                : "SHA256:" + sha256Fingerprint;
        return store.sshKeys().findByFingerprint(fingerprint)
                .flatMap(key -> store.users().findById(key.userId()))
                .filter(this::mayLogIn)
                .map(UserRecord::name);
    }

    /**
     * Resolves an SSH target name for {@code requester}. Server names contain no dot, so {@code a.b} is the server
     * {@code a} of user {@code b} unless a user named {@code a.b} exists; then it is that user's default server.
     */
    public Resolution resolveTarget(String requester, String target) {
        if (store.users().find(target).isPresent() || target.indexOf('.') < 0) {
            return sshAddress(requester, target, "");
        }
        int dot = target.indexOf('.');
        return sshAddress(requester, target.substring(dot + 1), target.substring(0, dot));
    }

    /** Returns where the sshd of {@code owner}'s server listens, if {@code requester} may reach it. */
    public Resolution sshAddress(String requester, String owner, String server) {
        String target = targetName(owner, server);
        Optional<UserRecord> requesting = store.users().find(requester).filter(this::mayLogIn);
        if (requesting.isEmpty()) {
            return new Refused(Refusal.NOT_ALLOWED, requester + " may not use SSH");
        }
        Optional<UserRecord> owning = store.users().find(owner);
        Optional<ServerRecord> found = owning.flatMap(u -> store.servers().find(u.id(), server));
        boolean allowed = requester.equals(owner) || requesting.get().isAdmin();
        if (!allowed) {
            // The same answer as for an unknown workspace would leak nothing, but a clear refusal helps the user.
            return new Refused(Refusal.NOT_ALLOWED, requester + " may not reach " + target);
        }
        if (found.isEmpty()) {
            return new Refused(Refusal.UNKNOWN, "no workspace named " + target);
        }
        InetSocketAddress address = address(found.get());
        if (address == null) {
            return new Refused(Refusal.NOT_RUNNING, target + " is not running or runs no SSH server");
        }
        return new Reachable(address);
    }

    /**
     * Returns the running workspaces {@code user} may reach by SSH: their own first, then, for an administrator,
     * everyone else's, each group in name order.
     */
    public List<SshWorkspace> runningWorkspaces(String user) {
        Optional<UserRecord> requesting = store.users().find(user).filter(this::mayLogIn);
        if (requesting.isEmpty()) {
            return List.of();
        }
        List<SshWorkspace> own = new ArrayList<>();
        List<SshWorkspace> others = new ArrayList<>();
        Map<Long, String> names = store.users().namesById();
        for (ServerRecord server : store.servers().listInState(ServerState.RUNNING)) {
            String owner = names.get(server.userId());
            InetSocketAddress address = address(server);
            if (owner == null || address == null) {
                continue;
            }
            SshWorkspace workspace = new SshWorkspace(owner, server.name(), targetName(owner, server.name()), address);
            if (owner.equals(user)) {
                own.add(workspace);
            } else if (requesting.get().isAdmin()) {
                others.add(workspace);
            }
        }
        own.sort(java.util.Comparator.comparing(SshWorkspace::server));
        others.sort(java.util.Comparator.comparing(SshWorkspace::owner).thenComparing(SshWorkspace::server));
        own.addAll(others);
        return List.copyOf(own);
    }

    private boolean mayLogIn(UserRecord user) {
        return user.authorized() && (user.lockedUntil() == null || !user.lockedUntil().isAfter(clock.instant()));
    }

    private static @Nullable InetSocketAddress address(ServerRecord server) {
        String text = server.sshAddress();
        if (server.state() != ServerState.RUNNING || text == null) {
            return null;
        }
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        // Addresses are stored as IP literals, so this makes no DNS query.
        return new InetSocketAddress(host, Integer.parseInt(text.substring(colon + 1)));
    }
}
