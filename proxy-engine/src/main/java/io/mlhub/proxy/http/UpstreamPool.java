package io.mlhub.proxy.http;

import io.netty.channel.EventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Idle keep-alive upstream connections of one event loop, by host and port. Only that event loop's thread
 * touches a pool, so it needs no locking; connections are taken last-in first-out, which keeps the busy ones
 * warm and lets the rest age out.
 */
final class UpstreamPool {
    private final EventLoop eventLoop;
    private final int maxPerTarget;
    private final long idleTimeoutNanos;
    private final Map<String, IntObjectMap<ArrayDeque<UpstreamRelayHandler>>> idle = new HashMap<>();
    private int idleCount;
    private boolean sweepScheduled;

    UpstreamPool(EventLoop eventLoop, int maxPerTarget, long idleTimeoutNanos) {
        this.eventLoop = eventLoop;
        this.maxPerTarget = maxPerTarget;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** Takes an idle open connection to {@code host:port}, or returns {@code null}. */
    @Nullable UpstreamRelayHandler acquire(String host, int port) {
        ArrayDeque<UpstreamRelayHandler> queue = queue(host, port, false);
        if (queue == null) {
            return null;
        }
        UpstreamRelayHandler upstream;
        while ((upstream = queue.pollLast()) != null) {
            idleCount--;
            if (upstream.channel().isActive()) {
                return upstream;
            }
        }
        return null;
    }

    /** Keeps a connection for reuse; returns {@code false} when the pool for its target is full. */
    boolean release(UpstreamRelayHandler upstream) {
        ArrayDeque<UpstreamRelayHandler> queue = queue(upstream.host(), upstream.port(), true);
        if (queue.size() >= maxPerTarget) {
            return false;
        }
        upstream.pooledSinceNanos = System.nanoTime();
        queue.addLast(upstream);
        idleCount++;
        scheduleSweep();
        return true;
    }

    /** Removes a pooled connection that closed. */
    void remove(UpstreamRelayHandler upstream) {
        ArrayDeque<UpstreamRelayHandler> queue = queue(upstream.host(), upstream.port(), false);
        if (queue != null && queue.remove(upstream)) {
            idleCount--;
        }
    }

    /** Closes every pooled connection. */
    void closeAll() {
        for (IntObjectMap<ArrayDeque<UpstreamRelayHandler>> byPort : idle.values()) {
            for (ArrayDeque<UpstreamRelayHandler> queue : byPort.values()) {
                for (UpstreamRelayHandler upstream : queue.toArray(new UpstreamRelayHandler[0])) {
                    upstream.channel().close();
                }
                queue.clear();
            }
        }
        idleCount = 0;
    }

    private @Nullable ArrayDeque<UpstreamRelayHandler> queue(String host, int port, boolean create) {
        IntObjectMap<ArrayDeque<UpstreamRelayHandler>> byPort = idle.get(host);
        if (byPort == null) {
            if (!create) {
                return null;
            }
            byPort = new IntObjectHashMap<>(4);
            idle.put(host, byPort);
        }
        ArrayDeque<UpstreamRelayHandler> queue = byPort.get(port);
        if (queue == null && create) {
            queue = new ArrayDeque<>(4);
            byPort.put(port, queue);
        }
        return queue;
    }

    private void scheduleSweep() {
        if (!sweepScheduled) {
            sweepScheduled = true;
            eventLoop.schedule(this::sweep, idleTimeoutNanos / 2, TimeUnit.NANOSECONDS);
        }
    }

    /** Closes connections that stayed idle longer than the pool timeout; the oldest sit at the head of a queue. */
    private void closeExpired(ArrayDeque<UpstreamRelayHandler> queue, long now) {
        UpstreamRelayHandler oldest;
        while ((oldest = queue.peekFirst()) != null && now - oldest.pooledSinceNanos >= idleTimeoutNanos) {
            queue.pollFirst();
            idleCount--;
            oldest.channel().close();
        }
    }

    private void sweep() {
        sweepScheduled = false;
        long now = System.nanoTime();
        Iterator<IntObjectMap<ArrayDeque<UpstreamRelayHandler>>> hosts = idle.values().iterator();
        while (hosts.hasNext()) {
            IntObjectMap<ArrayDeque<UpstreamRelayHandler>> byPort = hosts.next();
            Iterator<ArrayDeque<UpstreamRelayHandler>> queues = byPort.values().iterator();
            while (queues.hasNext()) {
                ArrayDeque<UpstreamRelayHandler> queue = queues.next();
                closeExpired(queue, now);
                if (queue.isEmpty()) {
                    // Targets come and go with workspaces, so empty entries are dropped rather than kept forever.
                    queues.remove();
                }
            }
            if (byPort.isEmpty()) {
                hosts.remove();
            }
        }
        if (idleCount > 0) {
            scheduleSweep();
        }
    }
}
