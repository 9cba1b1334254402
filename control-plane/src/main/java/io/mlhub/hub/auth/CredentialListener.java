package io.mlhub.hub.auth;

/**
 * Learns that cached credential checks for a user may be stale: after logout, token revocation, user deletion,
 * rename or loss of admin rights. A proxy cache drops every entry of that user.
 */
@FunctionalInterface
public interface CredentialListener {
    void invalidated(String user);
}
