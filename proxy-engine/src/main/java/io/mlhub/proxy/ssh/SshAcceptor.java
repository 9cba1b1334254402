package io.mlhub.proxy.ssh;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * Takes over a connection on the public port that the sniffer recognised as SSH, or that stayed silent
 * (an SSH client may wait for the server's banner before it sends anything).
 *
 * <p>The sniffer has removed itself from the pipeline before the call, and auto-read is off. From the
 * call on, the acceptor owns the channel and {@code received}, which holds the bytes already read (it
 * may be empty) and must be released by the acceptor.
 */
public interface SshAcceptor {

    /** Called on the channel's event loop. */
    void accept(Channel channel, ByteBuf received);
}
