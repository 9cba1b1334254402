package io.mlhub.sshmux;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.session.helpers.AbstractConnectionService;
import org.apache.sshd.common.util.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps track of every SSH session, both those MINA SSHD accepted itself and those adopted from the public port,
 * and on each tick:
 * <ul>
 *   <li>sends a {@code keepalive@openssh.com} request with want-reply set, so that a live client always
 *       has recent traffic and MINA's idle timeout (set to {@code interval * countMax}) closes only clients that
 *       vanished;</li>
 *   <li>closes a logged-in session that has had no open channel for the idle timeout.</li>
 * </ul>
 */
final class SessionKeepalive implements SessionListener {

    private static final Logger logger = LoggerFactory.getLogger(SessionKeepalive.class);

    static final String KEEPALIVE_REQUEST = "keepalive@openssh.com";

    private final long idleTimeoutNanos;
    /** Each session with the time it was last seen with an open channel, in {@link System#nanoTime()}. */
    private final Map<Session, Long> lastBusy = new ConcurrentHashMap<>();

    SessionKeepalive(Duration idleTimeout) {
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    @Override
    public void sessionCreated(Session session) {
        lastBusy.put(session, System.nanoTime());
    }

    @Override
    public void sessionClosed(Session session) {
        lastBusy.remove(session);
    }

    int sessionCount() {
        return lastBusy.size();
    }

    /** Runs one round of keepalive requests and idle checks. */
    void tick() {
        long now = System.nanoTime();
        lastBusy.forEach((session, busy) -> {
            try {
                check(session, busy, now);
            } catch (RuntimeException e) {
                logger.debug("{} keepalive check failed: {}", session, e.toString());
            }
        });
    }

    private void check(Session session, long busy, long now) {
        if (!session.isOpen() || !session.isAuthenticated()) {
            return;
        }
        if (hasOpenChannel(session)) {
            lastBusy.put(session, now);
        } else if (now - busy > idleTimeoutNanos) {
            logger.debug("{} closing session without channels user={}", session, session.getUsername());
            session.close(false);
            return;
        }
        sendKeepalive(session);
    }

    private static boolean hasOpenChannel(Session session) {
        ConnectionService service = session.getService(ConnectionService.class);
        return service instanceof AbstractConnectionService connection && !connection.getChannels().isEmpty();
    }

    private static void sendKeepalive(Session session) {
        try {
            Buffer request = session.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST, 32);
            request.putString(KEEPALIVE_REQUEST);
            request.putBoolean(true);
            // Any reply, success or failure, resets MINA's idle timer; nothing else is to be done with it.
            session.request(request, KEEPALIVE_REQUEST, (command, reply) -> { });
        } catch (IOException | RuntimeException e) {
            logger.debug("{} keepalive not sent: {}", session, e.toString());
        }
    }
}
