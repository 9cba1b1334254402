package io.mlhub.sshmux;

import java.security.PublicKey;
import java.util.Optional;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a public key when the hub user who registered it is the SSH user name the client logs in as, so
 * {@code ssh alice@hub} works only with one of alice's keys. Failed attempts count against the client address and
 * the user name, and once either has used up its allowance every attempt is rejected until it refills.
 */
final class HubKeyAuthenticator implements PublickeyAuthenticator {

    private static final Logger logger = LoggerFactory.getLogger(HubKeyAuthenticator.class);

    private final SshAuthority authority;
    private final AuthFailureLimiter limiter;
    private final ClientAddresses clients;

    HubKeyAuthenticator(SshAuthority authority, AuthFailureLimiter limiter, ClientAddresses clients) {
        this.authority = authority;
        this.limiter = limiter;
        this.clients = clients;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        String address = clients.clientHost(session);
        if (limiter.isBlocked(address, username)) {
            logger.debug("{} login rejected, too many failed attempts user={} client={}", session, username, address);
            return false;
        }

        Optional<String> owner;
        try {
            owner = authority.findUser(key);
        } catch (RuntimeException e) {
            // The control plane failed, not the client: reject this attempt without counting it.
            logger.warn("{} key lookup failed user={} key={}: {}", session, username, KeyUtils.getFingerPrint(key),
                    e.toString());
            return false;
        }
        if (owner.isPresent() && owner.get().equals(username)) {
            logger.debug("{} key accepted user={} client={} key={}", session, username, address,
                    KeyUtils.getFingerPrint(key));
            return true;
        }

        if (limiter.recordFailure(address, username)) {
            logger.info("{} further logins rejected after repeated failures user={} client={}", session, username,
                    address);
        }
        logger.debug("{} login failed user={} client={} key={} keyKnown={}", session, username, address,
                KeyUtils.getFingerPrint(key), owner.isPresent());
        return false;
    }
}
