package io.mlhub.appliance;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub API's port, kept in the data folder across restarts. Running workspaces keep the API's URL in their
 * environment ({@code JUPYTERHUB_API_URL}) from the hub that started them, so a restarted hub listens on the same
 * port, or they could no longer check a user's sign-in.
 */
final class ApiPortFile {
    private static final Logger logger = LoggerFactory.getLogger(ApiPortFile.class);

    static final String FILE_NAME = "hub-api-port";

    private final Path file;

    ApiPortFile(Path dataDir) {
        this.file = dataDir.resolve(FILE_NAME);
    }

    /**
     * Returns the port of the previous run when it is still free, else {@code 0} so that the hub picks a free one.
     * A port taken by another process is logged, because workspaces started before the restart then need a restart.
     */
    int preferredPort() {
        if (!Files.exists(file)) {
            return 0;
        }
        int port;
        try {
            port = Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            logger.warn("hub api port file unreadable, picking a new port file={} error={}", file, e.toString());
            return 0;
        }
        if (port <= 0 || port > 65535) {
            logger.warn("hub api port file contains an invalid port, picking a new port file={} port={}", file, port);
            return 0;
        }
        if (!isFree(port)) {
            logger.warn("hub api port of the previous run is in use, picking a new port; workspaces started before "
                    + "need a restart to reach the hub port={}", port);
            return 0;
        }
        return port;
    }

    /** Writes {@code port} for the next run; a failure is logged, because only a later restart depends on it. */
    void remember(int port) {
        try {
            Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
            Files.writeString(temporary, port + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            logger.warn("hub api port not saved, the next start picks a new port file={} error={}", file,
                    e.toString());
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
