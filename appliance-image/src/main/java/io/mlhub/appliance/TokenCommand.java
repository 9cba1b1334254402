package io.mlhub.appliance;

import ch.qos.logback.classic.Level;
import io.mlhub.hub.HubException;
import io.mlhub.hub.TokenIssuer;
import io.mlhub.hub.config.ConfigException;
import io.mlhub.hub.config.ConfigLoader;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mlhub token <user>}: prints a new API token for a user, as {@code jupyterhub token} does. It reads the same
 * configuration (the {@code HUB_CONFIG} file and the environment) and data folder as the hub itself.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print a new API token for a user, using the hub's configuration and database.")
final class TokenCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "USER", description = "Name of an existing hub user.")
    String user;

    @Option(names = "--note", defaultValue = "Requested via mlhub token",
            description = "Note stored with the token (default: ${DEFAULT-VALUE}).")
    String note;

    @Override
    public Integer call() {
        // The token is the only output, so that scripts can capture it; the database's start-up lines are noise here.
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(Level.WARN);
        }
        try {
            System.out.println(TokenIssuer.issue(ConfigLoader.fromEnvironment(), user, note));
            return 0;
        } catch (ConfigException e) {
            System.err.println("mlhub token: " + e.getMessage());
            return 2;
        } catch (HubException e) {
            System.err.println("mlhub token: " + e.getMessage());
            return 1;
        }
    }
}
