package io.mlhub.appliance;

import io.mlhub.hub.HubException;
import io.mlhub.hub.TokenIssuer;
import io.mlhub.hub.config.ConfigException;
import io.mlhub.hub.config.ConfigLoader;
import java.util.concurrent.Callable;
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
