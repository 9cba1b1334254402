package io.mlhub.appliance;

import io.mlhub.hub.config.ConfigException;
import io.mlhub.hub.config.ConfigLoader;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.spawn.Spawners;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code mlhub serve}: runs the hub. Settings come from the environment (HUB_NAME, SSL_ENABLED, EXECUTION_MODE,
 * START_* and the others the README lists) and the YAML file named by {@code HUB_CONFIG} or {@code --config}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the hub: public port, SSH jump host, control plane and pages (the default command).")
final class ServeCommand implements Callable<Integer> {
    private static final Logger logger = LoggerFactory.getLogger(ServeCommand.class);
    private static final int CONFIG_ERROR = 2;
    private static final int START_ERROR = 1;

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration file; overrides the HUB_CONFIG environment variable.")
    @Nullable Path configFile;

    @Option(names = "--port", paramLabel = "PORT",
            description = "Public port for HTTP(S) and SSH; overrides proxy.port (default 8080, 0 picks a free one).")
    @Nullable Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data folder; overrides the DATA_FOLDER environment variable (default ./data).")
    @Nullable Path dataDir;

    @Override
    public Integer call() {
        Map<String, String> env = environment();
        Path yaml = yamlFile(env);
        HubConfig hubConfig;
        ApplianceSettings settings;
        try {
            hubConfig = ConfigLoader.load(yaml, env);
            settings = ApplianceSettings.load(ConfigLoader.section(yaml, "proxy"), ConfigLoader.section(yaml, "ssh"),
                    env);
            if (port != null) {
                settings = settings.withPort(port);
            }
        } catch (ConfigException e) {
            System.err.println("mlhub: " + e.getMessage());
            return CONFIG_ERROR;
        }

        CountDownLatch stopRequested = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        logger.info("starting parts={} hubName={} dataDir={}", settings.parts(), hubConfig.hubName(),
                hubConfig.dataDir().toAbsolutePath());

        Appliance appliance;
        try {
            appliance = Appliance.start(hubConfig, settings, config -> Spawners.create(config, yaml));
        } catch (ConfigException e) {
            System.err.println("mlhub: " + e.getMessage());
            return CONFIG_ERROR;
        } catch (Exception e) {
            logger.error("start failed error={}", describe(e));
            logger.debug("start failure", e);
            return START_ERROR;
        }
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        logger.info("stopping; workspaces keep running");
        appliance.close();
        logger.info("stopped");
        return 0;
    }

    private Map<String, String> environment() {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        if (dataDir != null) {
            env.put(ConfigLoader.DATA_FOLDER_ENV, dataDir.toString());
        }
        return env;
    }

    private @Nullable Path yamlFile(Map<String, String> env) {
        if (configFile != null) {
            return configFile;
        }
        String named = env.get(ConfigLoader.CONFIG_FILE_ENV);
        return named == null || named.isBlank() ? null : Path.of(named);
    }

    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return root == error ? message : message + " (" + root + ")";
    }
}
