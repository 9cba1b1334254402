package io.mlhub.hub.testing;

import io.mlhub.hub.HubServer;
import io.mlhub.hub.config.DatabaseSettings;
import io.mlhub.hub.config.HubConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** A real hub on a loopback port with a test spawner and a recording route table. */
public final class RunningHub implements AutoCloseable {
    public final HubServer server;
    public final HttpWorkspaceSpawner spawner = new HttpWorkspaceSpawner();
    public final RecordingRoutes routes = new RecordingRoutes();
    public final HubClient client;
    public final HubConfig config;

    private RunningHub(HubConfig config, UnaryOperator<HubServer.Builder> customiseBuilder) throws Exception {
        this.config = config;
        this.server = customiseBuilder.apply(HubServer.builder(config).spawner(spawner).routes(routes)).build();
        this.client = new HubClient(server.start());
    }

    /** Starts a hub on {@code database} with the defaults changed by {@code customise}. */
    public static RunningHub start(DatabaseSettings database, UnaryOperator<HubConfig> customise) throws Exception {
        Path data = Files.createTempDirectory("mlhub-hub-");
        return new RunningHub(customise.apply(HubConfig.defaults(data).withDatabase(database)), b -> b);
    }

    /** Starts a hub on {@code database} with changed defaults and builder settings such as SSH or a clock. */
    public static RunningHub start(DatabaseSettings database, UnaryOperator<HubConfig> customise,
            UnaryOperator<HubServer.Builder> customiseBuilder) throws Exception {
        Path data = Files.createTempDirectory("mlhub-hub-");
        return new RunningHub(customise.apply(HubConfig.defaults(data).withDatabase(database)), customiseBuilder);
    }

    /** Starts a hub with exactly {@code config}. */
    public static RunningHub startWith(HubConfig config) throws Exception {
        return new RunningHub(config, b -> b);
    }

    @Override
    public void close() throws Exception {
        server.stop();
        spawner.stopAll();
    }
}
