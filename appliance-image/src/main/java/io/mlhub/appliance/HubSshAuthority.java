package io.mlhub.appliance;

import io.mlhub.hub.HubServer;
import io.mlhub.hub.ssh.HubSshDirectory;
import io.mlhub.sshmux.SshAuthority;
import io.mlhub.sshmux.SshTarget;
import io.mlhub.sshmux.SshWorkspace;
import io.mlhub.sshmux.TargetResolution;
import io.mlhub.sshmux.TargetResolution.RejectionReason;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.jspecify.annotations.Nullable;

/**
 * Looks up sshmux's keys and targets in the control plane of the same process. Until the control plane has
 * started, every key is unknown and every workspace is rejected.
 */
final class HubSshAuthority implements SshAuthority {
    private volatile @Nullable HubSshDirectory directory;
    private volatile String workspaceUser = "root";

    /**
     * Connects the authority to the control plane once it has started.
     *
     * @param loginUser the login name inside workspaces, shown in the help text
     */
    void connect(HubServer server, String loginUser) {
        this.workspaceUser = loginUser;
        this.directory = server.sshDirectory();
    }

    @Override
    public Optional<String> findUser(PublicKey key) {
        HubSshDirectory current = directory;
        if (current == null) {
            return Optional.empty();
        }
        return current.userForKeyFingerprint(fingerprint(key));
    }

    @Override
    public TargetResolution resolve(String user, SshTarget target) {
        HubSshDirectory current = directory;
        if (current == null) {
            return new TargetResolution.Rejected(RejectionReason.UNKNOWN,
                    "the hub is starting; try again in a few seconds");
        }
        return switch (current.sshAddress(user, target.user(), target.server())) {
            case HubSshDirectory.Reachable reachable -> new TargetResolution.Reachable(reachable.address());
            case HubSshDirectory.Refused refused -> new TargetResolution.Rejected(reason(refused.reason()),
                    refused.message());
        };
    }

    @Override
    public List<SshWorkspace> runningWorkspaces(String user) {
        HubSshDirectory current = directory;
        if (current == null) {
            return List.of();
        }
        return current.runningWorkspaces(user).stream()
                .flatMap(workspace -> SshTarget.parse(workspace.target()).stream())
                .map(target -> new SshWorkspace(target, workspaceUser, List.of()))
                .toList();
    }

    /** Returns the key's SHA-256 fingerprint as {@code ssh-keygen -l} prints it: {@code SHA256:<base64>}. */
    static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }

    private static RejectionReason reason(HubSshDirectory.Refusal refusal) {
        return switch (refusal) {
            case UNKNOWN -> RejectionReason.UNKNOWN;
            case NOT_ALLOWED -> RejectionReason.NOT_ALLOWED;
            case NOT_RUNNING -> RejectionReason.STOPPED;
        };
    }
}
