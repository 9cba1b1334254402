package io.mlhub.sshmux;

import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.io.AbstractIoWriteFuture;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * A MINA SSHD {@link IoSession} on a Netty channel accepted by the public port, so that MINA runs the SSH
 * protocol on that connection without a second socket.
 *
 * <p>Writes go straight to the channel, and each write future completes when Netty has written the bytes to the
 * socket; MINA's channel streams wait for that before they send more. Reads are requested one at a time by
 * {@link SshSessionHandler} and stop while MINA has suspended reading.
 */
final class ChannelIoSession extends AbstractCloseable implements IoSession {

    private final long id;
    private final Channel channel;
    private final ChannelIoService service;
    private final Map<Object, Object> attributes = new ConcurrentHashMap<>();
    private volatile boolean readSuspended;

    ChannelIoSession(ChannelIoService service, Channel channel) {
        super(String.valueOf(channel.remoteAddress()));
        this.id = service.nextId();
        this.channel = channel;
        this.service = service;
    }

    Channel channel() {
        return channel;
    }

    boolean isReadSuspended() {
        return readSuspended;
    }

    @Override
    public long getId() {
        return id;
    }

    @Override
    public SocketAddress getAcceptanceAddress() {
        return channel.localAddress();
    }

    @Override
    public SocketAddress getRemoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public SocketAddress getLocalAddress() {
        return channel.localAddress();
    }

    @Override
    public Object getAttribute(Object key) {
        return attributes.get(key);
    }

    @Override
    public Object setAttribute(Object key, Object value) {
        return attributes.put(key, value);
    }

    @Override
    public Object setAttributeIfAbsent(Object key, Object value) {
        return attributes.putIfAbsent(key, value);
    }

    @Override
    public Object removeAttribute(Object key) {
        return attributes.remove(key);
    }

    @Override
    public IoWriteFuture writeBuffer(Buffer buffer) {
        WriteFuture future = new WriteFuture(this);
        // The IoSession contract leaves the buffer untouched until the future completes, so it can be wrapped.
        // A write to a closed channel fails its future with ClosedChannelException.
        ByteBuf data = Unpooled.wrappedBuffer(buffer.array(), buffer.rpos(), buffer.available());
        // MINA calls writeBuffer under its encoding lock, in packet sequence order. Always queueing the write as a
        // task keeps that order: a write called on the event loop itself would otherwise overtake writes that
        // other threads queued before it, and the client would see a corrupt packet stream.
        try {
            channel.eventLoop().execute(() -> channel.writeAndFlush(data).addListener(
                    written -> future.setValue(written.isSuccess() ? Boolean.TRUE : written.cause())));
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down with the public port.
            future.setValue(new ClosedChannelException());
        }
        return future;
    }

    @Override
    public IoService getService() {
        return service;
    }

    @Override
    public void shutdownOutputStream() {
        if (channel instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        }
    }

    @Override
    public void suspendRead() {
        readSuspended = true;
    }

    @Override
    public void resumeRead() {
        readSuspended = false;
        channel.read();
    }

    @Override
    protected CloseFuture doCloseGracefully() {
        // Flush what is queued, then close the socket.
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        channel.closeFuture().addListener(closed -> closeFuture.setClosed());
        return closeFuture;
    }

    @Override
    protected void doCloseImmediately() {
        channel.close();
        super.doCloseImmediately();
    }

    @Override
    public String toString() {
        return "ChannelIoSession[id=" + id + ", remote=" + channel.remoteAddress() + "]";
    }

    private static final class WriteFuture extends AbstractIoWriteFuture {

        private WriteFuture(Object id) {
            super(id, null);
        }
    }
}
