package io.mlhub.appliance;

import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code mlhub.jar}. Without a subcommand it runs the whole hub ({@code serve}).
 */
@Command(
        name = "mlhub",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Multi-user hub that spawns and proxies workspaces behind one port.",
        subcommands = {ServeCommand.class, ProxyCommand.class, TokenCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        // Jersey, HK2 and a few other libraries log through java.util.logging; route them into the same log.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        int exitCode = args.length == 0
                ? commandLine.execute("serve")
                : commandLine.execute(args);
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mlhub " + (version == null ? "development build" : version)};
        }
    }
}
