package io.mlhub.sshmux;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

import io.mlhub.sshmux.TargetResolution.Reachable;
import io.mlhub.sshmux.TargetResolution.Rejected;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.server.forward.TcpipServerChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code direct-tcpip} channel whose target host is a workspace name. Before MINA SSHD connects, it replaces the
 * name and port the client sent by the workspace sshd's address, so the hub never looks a name up in DNS. It turns
 * a rejection into an "administratively prohibited" open failure that carries the reason for the user.
 *
 * <p>A half-close passes through in both directions: the client's EOF shuts down output to the workspace, and the
 * workspace's end of stream becomes a channel EOF (see {@link HalfCloseIoServiceFactory}).
 *
 * <p>MINA's forwarder does the rest: it reads from the workspace only while the client's window has room, and it
 * returns window to the client only after the workspace took the data, so neither direction buffers without bound.
 */
final class WorkspaceTcpipChannel extends TcpipServerChannel {

    private static final Logger logger = LoggerFactory.getLogger(WorkspaceTcpipChannel.class);

    private final WorkspaceForwardingFilter policy;
    private final AtomicBoolean upstreamEnded = new AtomicBoolean();

    private WorkspaceTcpipChannel(WorkspaceForwardingFilter policy) {
        super(TcpForwardingFilter.Type.Direct, null);
        this.policy = policy;
    }

    /** Returns the factory of these channels under the standard {@code direct-tcpip} type. */
    static ChannelFactory factory(WorkspaceForwardingFilter policy) {
        return new ChannelFactory() {
            @Override
            public String getName() {
                return TcpForwardingFilter.Type.Direct.getName();
            }

            @Override
            public Channel createChannel(Session session) throws IOException {
                return new WorkspaceTcpipChannel(policy);
            }
        };
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
        // RFC 4254 section 7.2: host to connect, port to connect, originator address, originator port.
        String host = buffer.getString();
        int port = buffer.getInt();
        String originatorHost = buffer.getString();
        int originatorPort = buffer.getInt();

        Session session = getSession();
        TargetResolution resolution = policy.resolve(session, host, port);
        return switch (resolution) {
            case Rejected rejected -> reject(session, host, port, rejected);
            case Reachable reachable -> connect(session, host, reachable.sshd(), originatorHost, originatorPort);
        };
    }

    private OpenFuture reject(Session session, String host, int port, Rejected rejected) {
        logger.debug("{} direct-tcpip rejected user={} target={}:{} reason={} message={}", session,
                session.getUsername(), host, port, rejected.reason(), rejected.message());
        RejectionReportingConnectionService.recordRejection(session, getRecipient(), rejected.message());
        OpenFuture future = new DefaultOpenFuture(this, this);
        try {
            future.setException(new SshChannelOpenException(getChannelId(),
                    SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, rejected.message()));
        } finally {
            close(true);
        }
        return future;
    }

    @Override
    protected void handleChannelOpenSuccess(OpenFuture future, IoSession upstream) {
        // Set before MINA starts reading from the workspace, which happens in the call below.
        upstream.setAttribute(HalfCloseIoServiceFactory.END_OF_INPUT_LISTENER, (Runnable) this::upstreamEnded);
        super.handleChannelOpenSuccess(future, upstream);
    }

    /**
     * Passes the client's EOF on to the workspace (MINA shuts down output to it). When the workspace had already
     * ended its side, neither direction carries data any more, so the channel is closed here, because the client
     * would otherwise wait for the close forever.
     */
    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        if (upstreamEnded.get()) {
            close(false);
        }
    }

    /**
     * Passes the workspace's half-close on as a channel EOF. MINA reads from the workspace again only after the
     * previous data was written to the channel, so no data is still on its way when this runs.
     */
    private void upstreamEnded() {
        // Set before the check, so that this method or a concurrent handleEof finds both sides ended.
        upstreamEnded.set(true);
        if (isEofSignalled()) {
            // The client ended its side before, so both directions are done.
            close(false);
            return;
        }
        try {
            sendEof();
        } catch (IOException e) {
            logger.debug("{} sending eof failed: {}", this, e.toString());
            close(true);
        }
    }

    private OpenFuture connect(
            Session session, String host, InetSocketAddress sshd, String originatorHost, int originatorPort) {
        String upstreamHost = sshd.getAddress().getHostAddress();
        SshdSocketAddress upstream = new SshdSocketAddress(upstreamHost, sshd.getPort());
        logger.debug("{} direct-tcpip allowed user={} target={} upstream={}", session, session.getUsername(), host,
                upstream);

        Buffer rewritten = new ByteArrayBuffer();
        rewritten.putString(upstreamHost);
        rewritten.putUInt(sshd.getPort());
        rewritten.putString(originatorHost);
        rewritten.putUInt(originatorPort);
        policy.approve(session, upstream);
        return super.doInit(rewritten);
    }
}
