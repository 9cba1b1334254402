package io.mlhub.proxy.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Misbehaving backends on plain JDK sockets: one that never responds, one that dies after reading a request, and one that drops keep-alive connections. */
final class SocketBackends {
    private SocketBackends() {}

    /** Returns a port on 127.0.0.1 where nothing listens, so connecting to it is refused. */
    static int refusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Accepts connections and reads requests but never responds. */
    static final class Silent implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Silent() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::acceptLoop);
        }

        int port() {
            return server.getLocalPort();
        }

        /** Returns how many accepted connections the peer has not closed yet. */
        int openConnections() {
            int open = 0;
            for (Socket socket : sockets) {
                if (!isClosedByPeer(socket)) {
                    open++;
                }
            }
            return open;
        }

        private void acceptLoop() {
            try {
                while (!server.isClosed()) {
                    Socket socket = server.accept();
                    accepted.incrementAndGet();
                    sockets.add(socket);
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** Reads the first bytes of each connection and then closes it without a response. */
    static final class Dying implements AutoCloseable {
        private final ServerSocket server;

        Dying() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::acceptLoop);
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            try {
                while (!server.isClosed()) {
                    Socket socket = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (socket) {
                            socket.getInputStream().read(new byte[16]);
                        } catch (IOException e) {
                            // the test only needs the close
                        }
                    });
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /**
     * Responds to the first request of each connection with a keep-alive response, then closes the connection when the
     * next request arrives: the race of an upstream that drops an idle keep-alive connection.
     */
    static final class OneRequestPerConnection implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        private final ServerSocket server;

        OneRequestPerConnection() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::acceptLoop);
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            try {
                while (!server.isClosed()) {
                    Socket socket = server.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> serveOnce(socket));
                }
            } catch (IOException e) {
                // closed
            }
        }

        private static void serveOnce(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                readHead(in);
                socket.getOutputStream().write(
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                readHead(in);
            } catch (IOException e) {
                // the test only needs the close
            }
        }

        /** Reads up to the blank line that ends a request head. */
        private static void readHead(InputStream in) throws IOException {
            int matched = 0;
            int b;
            while (matched < 4 && (b = in.read()) >= 0) {
                matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Returns whether the peer closed a socket, by checking for end of stream without blocking long. */
    static boolean isClosedByPeer(Socket socket) {
        try {
            socket.setSoTimeout(1);
            InputStream in = socket.getInputStream();
            while (true) {
                int read = in.read();
                if (read < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
