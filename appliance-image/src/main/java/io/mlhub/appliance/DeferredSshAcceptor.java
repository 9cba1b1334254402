package io.mlhub.appliance;

import io.mlhub.proxy.ssh.RejectingSshAcceptor;
import io.mlhub.proxy.ssh.SshAcceptor;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;

/** Hands SSH connections to the jump host once it runs, and turns them away before that. */
final class DeferredSshAcceptor implements SshAcceptor {
    private volatile @Nullable SshAcceptor delegate;

    void delegateTo(SshAcceptor acceptor) {
        this.delegate = acceptor;
    }

    @Override
    public void accept(Channel channel, ByteBuf received) {
        SshAcceptor current = delegate;
        (current != null ? current : RejectingSshAcceptor.INSTANCE).accept(channel, received);
    }
}
