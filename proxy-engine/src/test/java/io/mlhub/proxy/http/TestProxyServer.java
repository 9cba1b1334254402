package io.mlhub.proxy.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;

/** A listener on 127.0.0.1 that hands every connection to {@link HttpProxy#install}, as the real port does. */
final class TestProxyServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel server;
    private final HttpProxy proxy;

    TestProxyServer(HttpProxy proxy) throws InterruptedException {
        this(proxy, 2);
    }

    TestProxyServer(HttpProxy proxy, int threads) throws InterruptedException {
        this.proxy = proxy;
        this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        proxy.install(channel.pipeline(),
                                new ClientConnection(channel.remoteAddress(), channel.localAddress(), false));
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    HttpProxy proxy() {
        return proxy;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        proxy.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
