package io.mlhub.proxy.server;

import io.mlhub.proxy.ssh.SshAcceptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/** An SSH acceptor for tests: sends a server banner, records what the client sends, and closes after a line. */
final class RecordingSshAcceptor implements SshAcceptor {
    static final String BANNER = "SSH-2.0-MLHubTest\r\n";

    private final StringBuffer received = new StringBuffer();

    @Override
    public void accept(Channel channel, ByteBuf bytes) {
        try {
            received.append(bytes.toString(StandardCharsets.ISO_8859_1));
        } finally {
            bytes.release();
        }
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    received.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
                } finally {
                    ReferenceCountUtil.release(msg);
                }
                if (received.indexOf("\n") >= 0) {
                    ctx.close();
                }
            }
        });
        channel.writeAndFlush(Unpooled.copiedBuffer(BANNER, StandardCharsets.US_ASCII));
        channel.config().setAutoRead(true);
    }

    String received() {
        return received.toString();
    }
}
