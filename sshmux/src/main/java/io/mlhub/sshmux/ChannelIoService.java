package io.mlhub.sshmux;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * The MINA SSHD {@link IoService} of sessions adopted from the public port's Netty channels. MINA reads the sessions
 * it manages from here, for example to count a user's concurrent sessions.
 */
final class ChannelIoService extends AbstractCloseable implements IoService {

    // Ids count down from -1 so that they never equal the ids of MINA's own acceptor, which count up from 1.
    private final AtomicLong lastId = new AtomicLong();
    private final Map<Long, IoSession> sessions = new ConcurrentHashMap<>();
    private volatile IoServiceEventListener eventListener;

    ChannelIoService() {
        super("sshmux-adopted");
    }

    long nextId() {
        return lastId.decrementAndGet();
    }

    void register(IoSession session) {
        sessions.put(session.getId(), session);
    }

    void unregister(IoSession session) {
        sessions.remove(session.getId());
    }

    @Override
    public Map<Long, IoSession> getManagedSessions() {
        return Map.copyOf(sessions);
    }

    @Override
    public IoServiceEventListener getIoServiceEventListener() {
        return eventListener;
    }

    @Override
    public void setIoServiceEventListener(IoServiceEventListener listener) {
        this.eventListener = listener;
    }

    @Override
    protected void doCloseImmediately() {
        sessions.values().forEach(session -> session.close(true));
        super.doCloseImmediately();
    }
}
