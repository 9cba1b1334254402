package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiPortFileTest {
    @TempDir
    Path dataDir;

    @Test
    void firstStartPicksAnyPort() {
        assertThat(new ApiPortFile(dataDir).preferredPort()).isZero();
    }

    @Test
    void restartReusesRememberedPort() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        new ApiPortFile(dataDir).remember(port);

        assertThat(new ApiPortFile(dataDir).preferredPort()).isEqualTo(port);
    }

    @Test
    void takenPortFallsBackToAnyPort() throws Exception {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(0));
            new ApiPortFile(dataDir).remember(socket.getLocalPort());

            assertThat(new ApiPortFile(dataDir).preferredPort()).isZero();
        }
    }

    @Test
    void invalidFileFallsBackToAnyPort() throws Exception {
        Files.writeString(dataDir.resolve(ApiPortFile.FILE_NAME), "not a port\n");
        assertThat(new ApiPortFile(dataDir).preferredPort()).isZero();

        Files.writeString(dataDir.resolve(ApiPortFile.FILE_NAME), "70000\n");
        assertThat(new ApiPortFile(dataDir).preferredPort()).isZero();
    }
}
