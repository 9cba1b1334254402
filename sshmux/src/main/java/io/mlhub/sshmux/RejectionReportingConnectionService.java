package io.mlhub.sshmux;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.Service;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.AbstractServerSession;
import org.apache.sshd.server.session.ServerConnectionService;
import org.apache.sshd.server.session.ServerConnectionServiceFactory;

/**
 * The SSH connection service, with one change: a rejected channel's open failure carries the reason recorded by
 * {@link #recordRejection}. MINA SSHD 2.20.1 sends a generic "error while opening channel" description for every
 * rejection, and OpenSSH prints that description to the user, who would then not learn that the workspace is stopped.
 */
final class RejectionReportingConnectionService extends ServerConnectionService {

    private static final AttributeKey<Map<Long, String>> REJECTIONS = new AttributeKey<>();

    private RejectionReportingConnectionService(AbstractServerSession session) throws org.apache.sshd.common.SshException {
        super(session);
    }

    /** Returns the factory that installs this service for every session. */
    static ServerConnectionServiceFactory factory() {
        return new ServerConnectionServiceFactory() {
            @Override
            public Service create(Session session) throws IOException {
                RejectionReportingConnectionService service =
                        new RejectionReportingConnectionService((AbstractServerSession) session);
                service.addPortForwardingEventListenerManager(this);
                return service;
            }
        };
    }

    /** Records the description to send when the channel the client numbered {@code recipient} fails to open. */
    static void recordRejection(Session session, long recipient, String description) {
        session.computeAttributeIfAbsent(REJECTIONS, key -> new ConcurrentHashMap<>()).put(recipient, description);
    }

    @Override
    protected IoWriteFuture sendChannelOpenFailure(Buffer buffer, long sender, int reasonCode, String message,
            String lang) throws IOException {
        Map<Long, String> rejections = getSession().getAttribute(REJECTIONS);
        String description = rejections == null ? null : rejections.remove(sender);
        return super.sendChannelOpenFailure(buffer, sender, reasonCode, description == null ? message : description,
                lang);
    }
}
