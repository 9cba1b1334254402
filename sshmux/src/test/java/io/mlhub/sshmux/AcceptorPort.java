package io.mlhub.sshmux;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.mlhub.proxy.ssh.SshAcceptor;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * A stand-in for the public port: a Netty server on 127.0.0.1 that hands every connection to an
 * {@link SshAcceptor} the way the port's sniffer does, with auto-read off.
 */
final class AcceptorPort implements AutoCloseable {

    /** How the stand-in sniffer behaves before the hand-off. */
    enum Mode {
        /** Hands over at once with an empty buffer, as for a client that waits for the server's banner. */
        SILENT,
        /** Reads the client's first bytes and hands them over with the channel. */
        SNIFFED
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel server;

    AcceptorPort(SshAcceptor acceptor, Mode mode) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Sniffer(acceptor, mode));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Sniffer extends ChannelInboundHandlerAdapter {

        private final SshAcceptor acceptor;
        private final Mode mode;

        Sniffer(SshAcceptor acceptor, Mode mode) {
            this.acceptor = acceptor;
            this.mode = mode;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (mode == Mode.SILENT) {
                ctx.pipeline().remove(this);
                acceptor.accept(ctx.channel(), Unpooled.EMPTY_BUFFER);
            } else {
                ctx.read();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.pipeline().remove(this);
            acceptor.accept(ctx.channel(), (ByteBuf) msg);
        }
    }
}
