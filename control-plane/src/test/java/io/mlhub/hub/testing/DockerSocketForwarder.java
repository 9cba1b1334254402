package io.mlhub.hub.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards a loopback TCP port to the Docker engine's Unix socket, so that a test can cut every connection of a
 * client (such as the engine's event stream) and reject new ones for a while, without touching the engine.
 */
public final class DockerSocketForwarder implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel server;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private volatile boolean rejectingNew;
    private volatile boolean closed;

    public DockerSocketForwarder(Path socket) throws IOException {
        this.socket = socket;
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("docker-forwarder").start(this::acceptLoop);
    }

    /** Returns the engine address to give a Docker client, such as {@code tcp://127.0.0.1:40123}. */
    public URI dockerHost() throws IOException {
        InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
        return URI.create("tcp://127.0.0.1:" + local.getPort());
    }

    /** Closes every forwarded connection and, while {@code rejectNew} is set, closes new ones at once. */
    public void cut(boolean rejectNew) {
        rejectingNew = rejectNew;
        for (SocketChannel channel : open) {
            closeQuietly(channel);
        }
        open.clear();
    }

    /** Accepts and forwards connections again after {@link #cut}. */
    public void resume() {
        rejectingNew = false;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                if (rejectingNew) {
                    closeQuietly(client);
                    continue;
                }
                SocketChannel engine = SocketChannel.open(StandardProtocolFamily.UNIX);
                engine.connect(UnixDomainSocketAddress.of(socket));
                open.add(client);
                open.add(engine);
                Thread.ofVirtual().start(() -> pump(client, engine));
                Thread.ofVirtual().start(() -> pump(engine, client));
            } catch (IOException stopped) {
                return;
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException cut) {
            // The other direction or the test closed the connection.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        cut(true);
    }
}
