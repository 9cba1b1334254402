package io.mlhub.sshmux;

import java.util.concurrent.RejectedExecutionException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.session.helpers.MissingAttachedSessionException;
import org.apache.sshd.common.util.Readable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs MINA SSHD's session on a channel adopted from the public port. The handler sits on the Netty event loop
 * and passes every event to one single-threaded worker, so that key exchange, login and {@link SshAuthority}
 * calls never run on the event loop, and MINA still receives the events of one channel in order.
 *
 * <p>Auto-read stays off: the worker requests the next read after MINA has taken the previous bytes, unless MINA
 * suspended reading.
 */
final class SshSessionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(SshSessionHandler.class);

    private final IoHandler sessionFactory;
    private final ChannelIoService service;
    private final EventExecutor worker;
    // Set on the worker in start(); the other worker tasks run after it on the same thread.
    private ChannelIoSession session;

    SshSessionHandler(IoHandler sessionFactory, ChannelIoService service, EventExecutor worker) {
        this.sessionFactory = sessionFactory;
        this.service = service;
        this.worker = worker;
    }

    /** Starts the SSH session on the worker and gives it {@code received}, which this handler now owns. */
    void start(Channel channel, ByteBuf received) {
        submit(channel, received, () -> {
            session = new ChannelIoSession(service, channel);
            service.register(session);
            try {
                sessionFactory.sessionCreated(session);
            } catch (Exception e) {
                received.release();
                logger.warn("{} cannot start ssh session: {}", channel, e.toString());
                channel.close();
                return;
            }

            if (received.isReadable()) {
                deliver(channel, received);
            } else {
                received.release();
            }
            readIfWanted(channel);
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        Channel channel = ctx.channel();
        submit(channel, buf, () -> {
            deliver(channel, buf);
            readIfWanted(channel);
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        submit(channel, null, () -> closed(channel));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Channel channel = ctx.channel();
        logger.debug("{} ssh connection failed: {}", channel, cause.toString());
        submit(channel, null, () -> failed(channel, cause));
    }

    /** Runs {@code task} on the worker; if the worker has shut down with the hub, releases {@code buf} and closes. */
    private void submit(Channel channel, ByteBuf buf, Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            if (buf != null) {
                buf.release();
            }
            channel.close();
        }
    }

    private void deliver(Channel channel, ByteBuf buf) {
        try {
            if (session != null) {
                sessionFactory.messageReceived(session, new ByteBufReadable(buf));
            }
        } catch (Exception e) {
            failed(channel, e);
        } finally {
            buf.release();
        }
    }

    private void closed(Channel channel) {
        if (session == null) {
            return;
        }
        service.unregister(session);
        try {
            sessionFactory.sessionClosed(session);
        } catch (MissingAttachedSessionException e) {
            logger.debug("{} closed before its ssh session started", channel);
        } catch (Exception e) {
            logger.warn("{} closing ssh session failed: {}", channel, e.toString());
        } finally {
            session.close(true);
        }
    }

    private void failed(Channel channel, Throwable cause) {
        if (session == null) {
            channel.close();
            return;
        }
        try {
            sessionFactory.exceptionCaught(session, cause);
        } catch (Exception e) {
            channel.close();
        }
    }

    private void readIfWanted(Channel channel) {
        if (session != null && !session.isReadSuspended() && channel.isActive()) {
            channel.read();
        }
    }

    /** MINA's view of a Netty buffer; reading from it consumes the buffer's readable bytes. */
    private record ByteBufReadable(ByteBuf buf) implements Readable {

        @Override
        public int available() {
            return buf.readableBytes();
        }

        @Override
        public void getRawBytes(byte[] data, int offset, int len) {
            buf.readBytes(data, offset, len);
        }
    }
}
