package io.mlhub.sshmux;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.mlhub.proxy.ssh.SshAcceptor;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.session.ServerUserAuthServiceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's SSH jump host, on Apache MINA SSHD.
 *
 * <p>Users log in with a public key they registered in the hub, as the hub user who owns it ({@code ssh
 * alice@hub} needs one of alice's keys); passwords and keyboard-interactive login are off. A logged-in user may
 * only open {@code direct-tcpip} channels to the SSH port of workspaces {@link SshAuthority} lets them reach,
 * named as in {@link SshTarget}. A shell or exec request prints help text and exits with status 0.
 *
 * <p>Connections arrive from the public port through {@link #acceptor()}, which runs the SSH session on the
 * accepted Netty channel itself. MINA also listens on {@link SshMuxConfig#listenAddress()}, for
 * {@link #loopbackAcceptor()} and for direct connections.
 */
public final class SshMux implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(SshMux.class);

    private final SshMuxConfig config;
    private final SshServer server;
    private final HostKeys hostKeys;
    private final SshAccess access;
    private final ClientAddresses clients;
    private final ChannelIoService adoptedSessions;
    private final EventExecutorGroup workers;
    private final ScheduledExecutorService scheduler;
    private final SshAcceptor inProcessAcceptor;
    private final SshAcceptor loopbackAcceptor;

    private SshMux(SshMuxConfig config, SshServer server, HostKeys hostKeys, ClientAddresses clients,
            SessionKeepalive keepalive) {
        this.config = config;
        this.server = server;
        this.hostKeys = hostKeys;
        this.access = new SshAccess(config, hostKeys.hostKeys());
        this.clients = clients;
        this.adoptedSessions = new ChannelIoService();
        this.workers = new DefaultEventExecutorGroup(config.workerThreads(), new DefaultThreadFactory("sshmux-worker",
                true));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("sshmux-keepalive",
                true));
        long interval = config.keepaliveInterval().toMillis();
        scheduler.scheduleWithFixedDelay(keepalive::tick, interval, interval, TimeUnit.MILLISECONDS);
        this.inProcessAcceptor = new InProcessSshAcceptor(server.getSessionFactory(), adoptedSessions, workers);
        this.loopbackAcceptor = new LoopbackRelayAcceptor(listenAddress(), clients);
    }

    /**
     * Starts the jump host: loads or generates the host keys in {@link SshMuxConfig#dataDirectory()} and starts
     * MINA SSHD's listener.
     *
     * @throws UncheckedIOException if the host keys cannot be read or written, or the listener cannot bind
     */
    public static SshMux start(SshMuxConfig config, SshAuthority authority) {
        requireNonNull(config, "config");
        requireNonNull(authority, "authority");
        HostKeys hostKeys = HostKeys.loadOrGenerate(config.dataDirectory());
        ClientAddresses clients = new ClientAddresses();
        SessionKeepalive keepalive = new SessionKeepalive(config.idleTimeout());
        SshServer server = configure(config, authority, hostKeys, clients, keepalive);
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the ssh listener on " + config.listenAddress(), e);
        }
        SshMux mux = new SshMux(config, server, hostKeys, clients, keepalive);
        logger.info("ssh jump host started listen={} public={}:{} hostKeys={}", mux.listenAddress(),
                config.publicHost(), config.publicPort(),
                hostKeys.hostKeys().stream().map(HostKey::fingerprint).toList());
        return mux;
    }

    private static SshServer configure(SshMuxConfig config, SshAuthority authority, HostKeys hostKeys,
            ClientAddresses clients, SessionKeepalive keepalive) {
        SshServer server = SshServer.setUpDefaultServer();
        server.setIoServiceFactoryFactory(HalfCloseIoServiceFactory.factoryFactory());
        server.setHost(config.listenAddress().getHostString());
        server.setPort(config.listenAddress().getPort());
        server.setKeyPairProvider(hostKeys.provider());
        addAlgorithms(server);
        addAuthentication(server, config, authority, clients);
        addChannels(server, config, authority, hostKeys);
        addTimeouts(server, config);
        server.addSessionListener(keepalive);
        return server;
    }

    /**
     * Offers AES ciphers and SHA-2 MACs only, encrypt-then-MAC first: no CBC, no SHA-1. The client's order decides,
     * so chacha20-poly1305, first for OpenSSH clients, is left out: MINA runs it in plain Java, while the JDK's AES
     * and SHA-256 use the CPU's instructions. OpenSSH clients then pick aes128-ctr with hmac-sha2-256-etm.
     */
    private static void addAlgorithms(SshServer server) {
        server.setCipherFactories(List.of(BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm,
                BuiltinCiphers.aes128ctr, BuiltinCiphers.aes192ctr, BuiltinCiphers.aes256ctr));
        server.setMacFactories(List.of(BuiltinMacs.hmacsha256etm, BuiltinMacs.hmacsha512etm, BuiltinMacs.hmacsha256,
                BuiltinMacs.hmacsha512));
    }

    private static void addAuthentication(SshServer server, SshMuxConfig config, SshAuthority authority,
            ClientAddresses clients) {
        AuthFailureLimiter limiter = new AuthFailureLimiter(config.authFailureBurst(), config.authFailureRefill());
        server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        server.setPublickeyAuthenticator(new HubKeyAuthenticator(authority, limiter, clients));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
    }

    private static void addChannels(SshServer server, SshMuxConfig config, SshAuthority authority,
            HostKeys hostKeys) {
        WorkspaceForwardingFilter policy = new WorkspaceForwardingFilter(authority, config.workspaceSshPort());
        HelpText helpText = new HelpText(new SshAccess(config, hostKeys.hostKeys()));
        server.setForwardingFilter(policy);
        server.setChannelFactories(List.of(ChannelSessionFactory.INSTANCE, WorkspaceTcpipChannel.factory(policy)));
        server.setServiceFactories(List.of(ServerUserAuthServiceFactory.INSTANCE,
                RejectionReportingConnectionService.factory()));
        server.setShellFactory(HelpCommand.shellFactory(authority, helpText));
        server.setCommandFactory(HelpCommand.commandFactory(authority, helpText));
        server.setSubsystemFactories(List.of());
    }

    private static void addTimeouts(SshServer server, SshMuxConfig config) {
        CoreModuleProperties.SERVER_IDENTIFICATION.set(server, "mlhub");
        CoreModuleProperties.AUTH_TIMEOUT.set(server, config.authTimeout());
        // Every keepalive reply resets MINA's idle timer, so it only runs out for a client that stopped replying.
        CoreModuleProperties.IDLE_TIMEOUT.set(server, config.keepaliveInterval()
                .multipliedBy(config.keepaliveCountMax()));
    }

    /** Returns the acceptor the public port hands SSH connections to: in-process, on the accepted channel. */
    public SshAcceptor acceptor() {
        return inProcessAcceptor;
    }

    /** Returns the acceptor that relays SSH connections to MINA's loopback listener instead. */
    public SshAcceptor loopbackAcceptor() {
        return loopbackAcceptor;
    }

    /** Returns the address MINA SSHD listens on. */
    public InetSocketAddress listenAddress() {
        SocketAddress bound = server.getBoundAddresses().iterator().next();
        return (InetSocketAddress) bound;
    }

    /** Returns the hub's host keys with their fingerprints. */
    public List<HostKey> hostKeys() {
        return hostKeys.hostKeys();
    }

    /** Returns the generator of per-workspace SSH access information. */
    public SshAccess access() {
        return access;
    }

    /** Returns the config this jump host runs with. */
    public SshMuxConfig config() {
        return config;
    }

    /** Returns the number of open SSH sessions, adopted and direct, that passed key exchange or are in it. */
    public int sessionCount() {
        return server.getActiveSessions().size() + adoptedSessions.getManagedSessions().size();
    }

    int relayedConnectionCount() {
        return clients.relayedCount();
    }

    /** Stops the listener and closes every session. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        adoptedSessions.close(true);
        try {
            server.stop(true);
        } catch (IOException e) {
            logger.warn("stopping the ssh listener failed: {}", e.toString());
        }
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        logger.info("ssh jump host stopped listen={}", config.listenAddress());
    }
}
