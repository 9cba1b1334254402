package io.mlhub.sshmux;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/** The outcome of resolving an {@link SshTarget} for a hub user: where its sshd listens, or why it is rejected. */
public sealed interface TargetResolution {

    /**
     * The workspace runs and the user may reach it.
     *
     * @param sshd the address of the workspace's sshd as the hub reaches it (a literal IP address, so that the hub
     *     never resolves workspace names through DNS)
     */
    record Reachable(InetSocketAddress sshd) implements TargetResolution {

        public Reachable {
            requireNonNull(sshd, "sshd");
            if (sshd.isUnresolved()) {
                throw new IllegalArgumentException("sshd: " + sshd + " (expected: a literal IP address and a port)");
            }
        }
    }

    /**
     * The user cannot reach the workspace now.
     *
     * @param reason the kind of rejection
     * @param message a sentence the SSH client shows to the user, for example how to start the workspace
     */
    record Rejected(RejectionReason reason, String message) implements TargetResolution {

        public Rejected {
            requireNonNull(reason, "reason");
            requireNonNull(message, "message");
        }
    }

    /** The reason a workspace cannot be reached. */
    enum RejectionReason {
        /** No such workspace, or the user may not know of it. */
        UNKNOWN,
        /** The workspace exists and the user may reach it, but it is not running. */
        STOPPED,
        /** The workspace exists but the user is neither its owner, an administrator, nor granted access. */
        NOT_ALLOWED
    }
}
