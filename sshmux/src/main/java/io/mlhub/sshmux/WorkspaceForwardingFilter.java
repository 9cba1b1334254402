package io.mlhub.sshmux;

import java.util.Optional;

import io.mlhub.sshmux.TargetResolution.Rejected;
import io.mlhub.sshmux.TargetResolution.RejectionReason;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.ForwardingFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's forwarding policy. A {@code direct-tcpip} channel may only reach the SSH port of a workspace that
 * {@link SshAuthority} resolves for the logged-in user. Remote forwarding, agent and X11 forwarding are always
 * rejected. Each rejection is logged at DEBUG.
 *
 * <p>{@link WorkspaceTcpipChannel} calls {@link #resolve} first, with the host and port the client sent, and then
 * lets MINA SSHD connect to the resolved address. MINA consults {@link #canConnect} before it connects, and that
 * check passes only for the address this policy just approved for the same session, so no other path through
 * MINA can open a connection.
 */
final class WorkspaceForwardingFilter implements ForwardingFilter {

    private static final Logger logger = LoggerFactory.getLogger(WorkspaceForwardingFilter.class);

    private static final AttributeKey<SshdSocketAddress> APPROVED_UPSTREAM = new AttributeKey<>();

    private final SshAuthority authority;
    private final int workspaceSshPort;

    WorkspaceForwardingFilter(SshAuthority authority, int workspaceSshPort) {
        this.authority = authority;
        this.workspaceSshPort = workspaceSshPort;
    }

    /** Resolves the host and port a client asked for into a workspace sshd address, or a rejection. */
    TargetResolution resolve(Session session, String host, int port) {
        String user = session.getUsername();
        Optional<SshTarget> target = SshTarget.parse(host);
        if (target.isEmpty()) {
            return new Rejected(RejectionReason.UNKNOWN, "'" + host + "' is not a workspace name (expected: <user> for"
                    + " a default workspace, <server>.<user> for a named one)");
        }
        if (port != workspaceSshPort) {
            return new Rejected(RejectionReason.UNKNOWN, "only port " + workspaceSshPort + " of a workspace can be"
                    + " reached through this hub, not " + port);
        }
        try {
            return authority.resolve(user, target.get());
        } catch (RuntimeException e) {
            logger.warn("{} workspace lookup failed user={} target={}: {}", session, user, host, e.toString());
            return new Rejected(RejectionReason.UNKNOWN, "the hub cannot look up workspace " + host + " now, try again"
                    + " later");
        }
    }

    /** Lets the next {@link #canConnect} check of {@code session} pass for {@code upstream}. */
    void approve(Session session, SshdSocketAddress upstream) {
        session.setAttribute(APPROVED_UPSTREAM, upstream);
    }

    @Override
    public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
        SshdSocketAddress approved = session.removeAttribute(APPROVED_UPSTREAM);
        boolean allowed = type == Type.Direct && address.equals(approved);
        if (!allowed) {
            logger.debug("{} forwarding rejected type={} address={}", session, type, address);
        }
        return allowed;
    }

    @Override
    public boolean canListen(SshdSocketAddress address, Session session) {
        logger.debug("{} remote forwarding rejected address={}", session, address);
        return false;
    }

    @Override
    public boolean canForwardAgent(Session session, String requestType) {
        logger.debug("{} agent forwarding rejected request={}", session, requestType);
        return false;
    }

    @Override
    public boolean canForwardX11(Session session, String requestType) {
        logger.debug("{} x11 forwarding rejected request={}", session, requestType);
        return false;
    }
}
