package io.mlhub.proxy.sniff;

import io.mlhub.proxy.http.ClientConnection;
import io.mlhub.proxy.ssh.SshAcceptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** Records what the sniffer hands over: which protocol, with which connection details and bytes. */
final class RecordingProtocols implements PortProtocols {
    final List<String> installed = new ArrayList<>();
    final List<ClientConnection> connections = new ArrayList<>();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean sshAutoRead = true;
    Channel sshChannel;

    private final boolean tlsEnabled;
    private final BiConsumer<ChannelPipeline, ClientConnection> tlsInstaller;

    RecordingProtocols(boolean tlsEnabled) {
        this.tlsEnabled = tlsEnabled;
        this.tlsInstaller = (pipeline, connection) -> pipeline.addLast(new ByteRecorder());
    }

    RecordingProtocols(BiConsumer<ChannelPipeline, ClientConnection> tlsInstaller) {
        this.tlsEnabled = true;
        this.tlsInstaller = tlsInstaller;
    }

    @Override
    public boolean tlsEnabled() {
        return tlsEnabled;
    }

    @Override
    public void installTls(ChannelPipeline pipeline, ClientConnection connection) {
        installed.add("tls");
        connections.add(connection);
        tlsInstaller.accept(pipeline, connection);
    }

    @Override
    public void installPlainHttp(ChannelPipeline pipeline, ClientConnection connection) {
        installed.add("http");
        connections.add(connection);
        pipeline.addLast(new ByteRecorder());
    }

    @Override
    public SshAcceptor sshAcceptor() {
        return (channel, bytes) -> {
            installed.add("ssh");
            sshChannel = channel;
            sshAutoRead = channel.config().isAutoRead();
            try {
                received.writeBytes(ByteBufUtil.getBytes(bytes));
            } finally {
                bytes.release();
            }
            // Like a real SSH server, take the bytes that follow.
            channel.pipeline().addLast(new ByteRecorder());
        };
    }

    byte[] receivedBytes() {
        return received.toByteArray();
    }

    /** Collects every byte that reaches it and releases the buffers. */
    final class ByteRecorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf bytes) {
                    received.writeBytes(ByteBufUtil.getBytes(bytes));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
