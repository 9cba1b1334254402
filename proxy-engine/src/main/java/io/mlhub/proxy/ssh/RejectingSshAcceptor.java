package io.mlhub.proxy.ssh;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The SSH acceptor of a port with no SSH server behind it: it logs one line per connection and closes it. */
public final class RejectingSshAcceptor implements SshAcceptor {
    private static final Logger logger = LoggerFactory.getLogger(RejectingSshAcceptor.class);

    /** The only instance; it keeps no state. */
    public static final RejectingSshAcceptor INSTANCE = new RejectingSshAcceptor();

    private RejectingSshAcceptor() {}

    @Override
    public void accept(Channel channel, ByteBuf received) {
        try {
            logger.info("{} ssh connection closed: no ssh server is configured on this port (bytes-received={})",
                    channel, received.readableBytes());
        } finally {
            received.release();
        }
        channel.close();
    }
}
