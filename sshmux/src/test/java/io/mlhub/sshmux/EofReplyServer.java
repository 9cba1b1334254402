package io.mlhub.sshmux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A TCP server that reads one connection until end of stream, then replies with the number of bytes it read and
 * closes. So the reply arrives only if the client's half-close reached it.
 */
final class EofReplyServer implements AutoCloseable {

    private final ServerSocket server;
    private final Thread thread;

    EofReplyServer() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        thread = Thread.ofVirtual().start(this::serveOne);
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    private void serveOne() {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            long count = in.transferTo(OutputStream.nullOutputStream());
            socket.getOutputStream().write(("received " + count + " bytes\n").getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
        } catch (IOException e) {
            // The test fails on the missing reply.
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        thread.join(5000);
    }
}
