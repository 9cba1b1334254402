package io.mlhub.appliance;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder for the {@code serve} subcommand until its module is wired in. */
@Command(name = "serve", description = "Not available in this build yet.")
final class ServeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("mlhub serve: not available in this build yet");
        return 2;
    }
}
