package io.mlhub.sshmux;

import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.mlhub.sshmux.TargetResolution.Reachable;
import io.mlhub.sshmux.TargetResolution.Rejected;
import io.mlhub.sshmux.TargetResolution.RejectionReason;
import org.apache.sshd.common.config.keys.KeyUtils;

/** An {@link SshAuthority} kept in maps, standing in for the control plane in tests. */
final class InMemorySshAuthority implements SshAuthority {

    private record Workspace(SshTarget target, InetSocketAddress sshd, boolean running, String loginUser) {}

    private final Map<PublicKey, String> keys = new ConcurrentHashMap<>();
    private final Map<SshTarget, Workspace> workspaces = new ConcurrentHashMap<>();
    private final Set<String> admins = ConcurrentHashMap.newKeySet();
    private final Set<String> grants = ConcurrentHashMap.newKeySet();

    void addKey(String user, PublicKey key) {
        keys.put(key, user);
    }

    void revokeKey(PublicKey key) {
        keys.keySet().removeIf(known -> KeyUtils.compareKeys(known, key));
    }

    void addWorkspace(SshTarget target, InetSocketAddress sshd, boolean running) {
        workspaces.put(target, new Workspace(target, sshd, running, "root"));
    }

    void grant(String user, SshTarget target) {
        grants.add(user + " " + target.name());
    }

    void addAdmin(String user) {
        admins.add(user);
    }

    @Override
    public Optional<String> findUser(PublicKey key) {
        return keys.entrySet().stream()
                .filter(entry -> KeyUtils.compareKeys(entry.getKey(), key))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    @Override
    public TargetResolution resolve(String user, SshTarget target) {
        Workspace workspace = workspaces.get(target);
        if (workspace == null) {
            return new Rejected(RejectionReason.UNKNOWN, "workspace " + target + " does not exist");
        }
        if (!mayReach(user, target)) {
            return new Rejected(RejectionReason.NOT_ALLOWED, "user " + user + " may not reach workspace " + target);
        }
        if (!workspace.running()) {
            return new Rejected(RejectionReason.STOPPED, "workspace " + target + " is stopped: start it on the hub's"
                    + " web page, then connect again");
        }
        return new Reachable(workspace.sshd());
    }

    @Override
    public List<SshWorkspace> runningWorkspaces(String user) {
        List<SshWorkspace> result = new ArrayList<>();
        workspaces.values().stream()
                .filter(workspace -> workspace.running() && mayReach(user, workspace.target()))
                .sorted((a, b) -> a.target().name().compareTo(b.target().name()))
                .forEach(workspace -> result.add(new SshWorkspace(workspace.target(), workspace.loginUser(),
                        List.of())));
        return result;
    }

    private boolean mayReach(String user, SshTarget target) {
        return target.user().equals(user) || admins.contains(user) || grants.contains(user + " " + target.name());
    }
}
