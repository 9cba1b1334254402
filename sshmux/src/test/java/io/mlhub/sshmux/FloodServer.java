package io.mlhub.sshmux;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP server that writes to one connection as fast as the connection takes data, counting the bytes written,
 * until the peer goes away.
 */
final class FloodServer implements AutoCloseable {

    private final ServerSocket server;
    private final AtomicLong written = new AtomicLong();
    private final AtomicBoolean peerGone = new AtomicBoolean();
    private final Thread thread;

    FloodServer() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        thread = Thread.ofVirtual().start(this::floodOne);
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    long written() {
        return written.get();
    }

    boolean peerGone() {
        return peerGone.get();
    }

    private void floodOne() {
        byte[] chunk = new byte[64 * 1024];
        try (Socket socket = server.accept()) {
            OutputStream out = socket.getOutputStream();
            while (true) {
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            peerGone.set(true);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        thread.join(5000);
    }
}
