package io.mlhub.sshmux;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;

import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.PropertyResolver;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceFactory;
import org.apache.sshd.common.io.nio2.Nio2CompletionHandler;
import org.apache.sshd.common.io.nio2.Nio2Service;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactory;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactoryFactory;
import org.apache.sshd.common.io.nio2.Nio2Session;
import org.apache.sshd.common.util.Readable;
import org.apache.sshd.common.util.threads.CloseableExecutorService;

/**
 * MINA SSHD's NIO2 transport, with one change for outgoing connections: when the peer ends its side of the
 * stream, a session that has a {@link #END_OF_INPUT_LISTENER} attribute calls it and stays open for writing,
 * instead of closing at once. {@link WorkspaceTcpipChannel} uses this to pass a workspace's half-close on to the
 * client as a channel EOF.
 */
final class HalfCloseIoServiceFactory extends Nio2ServiceFactory {

    /** The attribute key of a {@link Runnable} that handles the end of the peer's stream. */
    static final Object END_OF_INPUT_LISTENER = new Object();

    private HalfCloseIoServiceFactory(FactoryManager manager, CloseableExecutorService executor,
            CloseableExecutorService resumingExecutor) {
        super(manager, executor, resumingExecutor);
    }

    /** Returns the factory factory that installs this transport in an {@code SshServer}. */
    static Nio2ServiceFactoryFactory factoryFactory() {
        return new Nio2ServiceFactoryFactory() {
            @Override
            public IoServiceFactory create(FactoryManager manager) {
                return new HalfCloseIoServiceFactory(manager, newExecutor(), newExecutor());
            }
        };
    }

    @Override
    public Nio2Session createSession(Nio2Service service, IoHandler handler, AsynchronousSocketChannel socket,
            SocketAddress acceptanceAddress) throws Throwable {
        // Only connector sessions (no acceptance address) are forwarding connections to workspaces.
        if (acceptanceAddress != null) {
            return super.createSession(service, handler, socket, acceptanceAddress);
        }
        return new HalfCloseSession(service, getFactoryManager(), handler, socket);
    }

    private static final class HalfCloseSession extends Nio2Session {

        HalfCloseSession(Nio2Service service, PropertyResolver properties, IoHandler handler,
                AsynchronousSocketChannel socket) throws IOException {
            super(service, properties, handler, socket, null);
        }

        @Override
        protected void handleReadCycleCompletion(ByteBuffer buffer, Readable bufReader,
                Nio2CompletionHandler<Integer, Object> completionHandler, Integer result, Object attachment) {
            if (result >= 0 || !(getAttribute(END_OF_INPUT_LISTENER) instanceof Runnable listener)) {
                super.handleReadCycleCompletion(buffer, bufReader, completionHandler, result, attachment);
                return;
            }
            // The peer half-closed: stop reading, keep the socket open for writing, and let the listener decide.
            listener.run();
        }
    }
}
