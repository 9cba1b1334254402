package io.mlhub.appliance;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder for the {@code proxy} subcommand until its module is wired in. */
@Command(name = "proxy", description = "Not available in this build yet.")
final class ProxyCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("mlhub proxy: not available in this build yet");
        return 2;
    }
}
