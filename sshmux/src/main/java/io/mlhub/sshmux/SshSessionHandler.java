package io.mlhub.sshmux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.session.helpers.MissingAttachedSessionException;
import org.apache.sshd.common.util.Readable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs MINA SSHD's session on a channel adopted from the public port. It is added with an executor of its own,
 * so that key exchange, login and {@link SshAuthority} calls never run on the Netty event loop; Netty still calls
 * it for one channel in order.
 *
 * <p>Auto-read stays off: the handler requests the next read after MINA has taken the previous bytes, unless MINA
 * suspended reading.
 */
final class SshSessionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(SshSessionHandler.class);

    private final IoHandler sessionFactory;
    private final ChannelIoService service;
    private ByteBuf received;
    private ChannelIoSession session;

    /** Takes ownership of {@code received}, the bytes the port's sniffer already read. */
    SshSessionHandler(IoHandler sessionFactory, ChannelIoService service, ByteBuf received) {
        this.sessionFactory = sessionFactory;
        this.service = service;
        this.received = received;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ByteBuf first = received;
        received = null;
        session = new ChannelIoSession(service, ctx.channel());
        service.register(session);
        try {
            sessionFactory.sessionCreated(session);
        } catch (Exception e) {
            first.release();
            logger.warn("{} cannot start ssh session: {}", ctx.channel(), e.toString());
            ctx.close();
            return;
        }

        if (first.isReadable()) {
            deliver(ctx, first);
        } else {
            first.release();
        }
        readIfWanted(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (received != null) {
            received.release();
            received = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && session != null) {
            deliver(ctx, buf);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readIfWanted(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (session == null) {
            return;
        }
        service.unregister(session);
        try {
            sessionFactory.sessionClosed(session);
        } catch (MissingAttachedSessionException e) {
            logger.debug("{} closed before its ssh session started", ctx.channel());
        } catch (Exception e) {
            logger.warn("{} closing ssh session failed: {}", ctx.channel(), e.toString());
        } finally {
            session.close(true);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (session == null) {
            ctx.close();
            return;
        }
        logger.debug("{} ssh connection failed: {}", ctx.channel(), cause.toString());
        try {
            sessionFactory.exceptionCaught(session, cause);
        } catch (Exception e) {
            ctx.close();
        }
    }

    private void deliver(ChannelHandlerContext ctx, ByteBuf buf) {
        try {
            sessionFactory.messageReceived(session, new ByteBufReadable(buf));
        } catch (Exception e) {
            exceptionCaught(ctx, e);
        } finally {
            buf.release();
        }
    }

    private void readIfWanted(ChannelHandlerContext ctx) {
        if (session != null && !session.isReadSuspended() && ctx.channel().isActive()) {
            ctx.channel().read();
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
