package io.mlhub.sshmux;

import io.mlhub.proxy.ssh.SshAcceptor;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutorGroup;
import org.apache.sshd.common.io.IoHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands an SSH connection from the public port to MINA SSHD in the same process and on the same socket: MINA's
 * session runs on the accepted Netty channel through {@link ChannelIoSession}, with no loopback connection.
 */
final class InProcessSshAcceptor implements SshAcceptor {

    private static final Logger logger = LoggerFactory.getLogger(InProcessSshAcceptor.class);

    static final String HANDLER_NAME = "sshmux";

    private final IoHandler sessionFactory;
    private final ChannelIoService service;
    private final EventExecutorGroup workers;

    InProcessSshAcceptor(IoHandler sessionFactory, ChannelIoService service, EventExecutorGroup workers) {
        this.sessionFactory = sessionFactory;
        this.service = service;
        this.workers = workers;
    }

    @Override
    public void accept(Channel channel, ByteBuf received) {
        if (!channel.isActive() || service.isClosing()) {
            received.release();
            channel.close();
            return;
        }
        // TODO: use the client address of a PROXY protocol header that the sniffer consumed. Until then, behind a
        // load balancer, logs and login rate limits get the balancer's address.
        logger.debug("{} ssh connection handed over in-process received={}", channel, received.readableBytes());
        // One worker per connection keeps MINA's calls for it in order; the handler owns the buffer from here on.
        SshSessionHandler handler = new SshSessionHandler(sessionFactory, service, workers.next());
        channel.pipeline().addLast(HANDLER_NAME, handler);
        handler.start(channel, received);
    }
}
