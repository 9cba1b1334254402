package io.mlhub.sshmux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.apache.sshd.server.shell.ShellFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command behind every shell and exec request on the hub. It prints the help text for the logged-in user and
 * exits with status 0, whatever command was requested, because the hub runs no shell or command of its own.
 */
final class HelpCommand implements Command {

    private static final Logger logger = LoggerFactory.getLogger(HelpCommand.class);

    private final SshAuthority authority;
    private final HelpText helpText;
    private OutputStream out;
    private ExitCallback exitCallback;

    private HelpCommand(SshAuthority authority, HelpText helpText) {
        this.authority = authority;
        this.helpText = helpText;
    }

    /** Returns a factory that runs this command for every shell request. */
    static ShellFactory shellFactory(SshAuthority authority, HelpText helpText) {
        return channel -> new HelpCommand(authority, helpText);
    }

    /** Returns a factory that runs this command for every exec request. */
    static CommandFactory commandFactory(SshAuthority authority, HelpText helpText) {
        return (channel, command) -> {
            logger.debug("{} exec on the hub replaced by help text command={}", channel, command);
            return new HelpCommand(authority, helpText);
        };
    }

    @Override
    public void setInputStream(InputStream in) {
        // Input is not read: the command ends right after printing.
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        // Everything goes to standard output.
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exitCallback = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        String user = channel.getSession().getUsername();
        String text = helpText.forUser(user, runningWorkspaces(channel, user));
        // A pty request sets TERM. A terminal in raw mode needs carriage returns, and a plain pipe gets plain lines.
        if (env.getEnv().containsKey(Environment.ENV_TERM)) {
            text = text.replace("\n", "\r\n");
        }
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        exitCallback.onExit(0);
    }

    private List<SshWorkspace> runningWorkspaces(ChannelSession channel, String user) {
        try {
            return authority.runningWorkspaces(user);
        } catch (RuntimeException e) {
            logger.warn("{} listing workspaces failed user={}: {}", channel, user, e.toString());
            return List.of();
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        // Nothing runs after start() returns.
    }
}
