package io.mlhub.sshmux;

import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

/**
 * The control plane's data that sshmux needs: who owns a public key, where a workspace's sshd is, and which
 * workspaces a user can reach. The control plane implements it in-process, or a client of its HTTP API does.
 *
 * <p>Methods are called on sshmux's worker threads or MINA SSHD's own threads, not on the public port's Netty
 * event loop. They may block briefly, for a cached lookup or one database query, and a slow call delays only the
 * SSH session that made it.
 */
public interface SshAuthority {

    /**
     * Finds the hub user who registered {@code key}. Returns empty for an unknown key and for a key whose owner is
     * deleted, locked out or not authorized yet.
     */
    Optional<String> findUser(PublicKey key);

    /**
     * Resolves {@code target} for {@code user}: its sshd address when the workspace runs and {@code user} owns
     * it, is an administrator, or was granted access; otherwise the rejection and a message for the user.
     */
    TargetResolution resolve(String user, SshTarget target);

    /** Lists the running workspaces {@code user} may reach by SSH, own ones first. */
    List<SshWorkspace> runningWorkspaces(String user);
}
