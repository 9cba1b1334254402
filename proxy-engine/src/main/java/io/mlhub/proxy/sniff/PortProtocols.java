package io.mlhub.proxy.sniff;

import io.mlhub.proxy.http.ClientConnection;
import io.mlhub.proxy.ssh.SshAcceptor;
import io.netty.channel.ChannelPipeline;

/**
 * What {@link PortMultiplexHandler} hands a connection to once it has detected the protocol. The install
 * methods add their handlers at the end of the pipeline; the sniffer then removes itself and passes the
 * bytes it has read to the first of them.
 */
public interface PortProtocols {

    /** Returns whether the port serves TLS; when not, a TLS handshake counts as unknown bytes. */
    boolean tlsEnabled();

    /** Adds the handlers for a TLS connection: the TLS handler first, then what runs inside it. */
    void installTls(ChannelPipeline pipeline, ClientConnection connection);

    /** Adds the handlers for a plain HTTP connection. */
    void installPlainHttp(ChannelPipeline pipeline, ClientConnection connection);

    /** Returns who takes over SSH connections and silent ones. */
    SshAcceptor sshAcceptor();
}
