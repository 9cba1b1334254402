package io.mlhub.sshmux;

import java.net.SocketAddress;

import io.mlhub.proxy.ssh.SshAcceptor;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands an SSH connection from the public port to MINA SSHD's own listener on a loopback port, relaying bytes both
 * ways. The alternative to {@link InProcessSshAcceptor}, kept to compare the two and as a fallback.
 *
 * <p>The upstream connection runs on the client channel's event loop, so the handlers of both channels run on one
 * thread. Auto-read is off on both sides and each side reads again only after the other side took the last
 * bytes. The relay's local address is registered with {@link ClientAddresses} so that logs and rate limits see
 * the real client.
 */
final class LoopbackRelayAcceptor implements SshAcceptor {

    private static final Logger logger = LoggerFactory.getLogger(LoopbackRelayAcceptor.class);

    private final SocketAddress sshdAddress;
    private final ClientAddresses clients;

    LoopbackRelayAcceptor(SocketAddress sshdAddress, ClientAddresses clients) {
        this.sshdAddress = sshdAddress;
        this.clients = clients;
    }

    @Override
    public void accept(Channel client, ByteBuf received) {
        if (!(client instanceof SocketChannel)) {
            logger.warn("{} cannot relay a {} channel, closing", client, client.getClass().getSimpleName());
            received.release();
            client.close();
            return;
        }
        Bootstrap bootstrap = new Bootstrap()
                .group(client.eventLoop())
                .channelFactory(new ReflectiveChannelFactory<>(client.getClass()))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new RelayHandler(client));
        ChannelFuture connect = bootstrap.connect(sshdAddress);
        connect.addListener((ChannelFutureListener) future -> onConnected(client, future, received));
    }

    private void onConnected(Channel client, ChannelFuture future, ByteBuf received) {
        if (!future.isSuccess()) {
            logger.warn("{} cannot reach the ssh listener at {}: {}", client, sshdAddress, future.cause().toString());
            received.release();
            client.close();
            return;
        }
        Channel upstream = future.channel();
        if (!client.isActive()) {
            received.release();
            upstream.close();
            return;
        }
        SocketAddress relayAddress = upstream.localAddress();
        clients.register(relayAddress, client.remoteAddress());
        upstream.closeFuture().addListener(closed -> clients.unregister(relayAddress));
        logger.debug("{} ssh connection relayed over {} received={}", client, relayAddress, received.readableBytes());

        client.pipeline().addLast(new RelayHandler(upstream));
        if (received.isReadable()) {
            upstream.writeAndFlush(received).addListener(written -> readOrClose(written.isSuccess(), client));
        } else {
            received.release();
            client.read();
        }
        upstream.read();
    }

    private static void readOrClose(boolean success, Channel channel) {
        if (success) {
            channel.read();
        } else {
            closeOnFlush(channel);
        }
    }

    static void closeOnFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Writes what one side reads to the other side, and reads on only after that write succeeded. */
    private static final class RelayHandler extends ChannelInboundHandlerAdapter {

        private final Channel peer;

        RelayHandler(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel self = ctx.channel();
            peer.writeAndFlush(msg).addListener(written -> {
                if (written.isSuccess()) {
                    self.read();
                } else {
                    self.close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeOnFlush(peer);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logger.debug("{} ssh relay failed: {}", ctx.channel(), cause.toString());
            ctx.close();
        }
    }
}
