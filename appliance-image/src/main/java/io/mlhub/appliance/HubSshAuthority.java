package io.mlhub.appliance;

import io.mlhub.hub.HubServer;
import io.mlhub.sshmux.SshAuthority;
import io.mlhub.sshmux.SshTarget;
import io.mlhub.sshmux.SshWorkspace;
import io.mlhub.sshmux.TargetResolution;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Answers sshmux's questions from the control plane of the same process. */
final class HubSshAuthority implements SshAuthority {
    private volatile @Nullable HubServer hub;

    /** Connects the authority to the control plane once it has started. */
    void connect(HubServer server) {
        this.hub = server;
    }

    @Override
    public Optional<String> findUser(PublicKey key) {
        return Optional.empty();
    }

    @Override
    public TargetResolution resolve(String user, SshTarget target) {
        return new TargetResolution.Rejected(TargetResolution.RejectionReason.UNKNOWN,
                "workspace " + target.name() + " is not known to the hub");
    }

    @Override
    public List<SshWorkspace> runningWorkspaces(String user) {
        return List.of();
    }
}
