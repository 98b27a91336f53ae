package io.bookmarket.regrequest;

import io.bookmarket.stack.testing.StackTestResource;
import io.debezium.outbox.quarkus.ExportedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The test stack's PostgreSQL behind a TCP proxy that, once armed, lets the next transaction that publishes an event
 * commit and then cuts the connection instead of passing on the database's "COMMIT done": the change is stored, and
 * the service cannot know it. {@link Hook} arms the proxy from inside that transaction.
 */
public class CommitAnswerLost extends StackTestResource {

    private static final AtomicBoolean ARMED = new AtomicBoolean();
    private static final AtomicBoolean CUT_NEXT_COMMIT = new AtomicBoolean();
    private static volatile boolean cut;
    private ServerSocket proxy;

    /** The next transaction that publishes an event loses its COMMIT's answer. */
    static void arm() {
        cut = false;
        ARMED.set(true);
    }

    /** Whether a COMMIT's answer was cut since {@link #arm()}. */
    static boolean happened() {
        return cut;
    }

    /** Test hook (test classes only): the armed transaction, seen publishing its event, is the one whose COMMIT is cut. */
    @ApplicationScoped
    public static class Hook {
        void onEvent(@Observes ExportedEvent<?, ?> event) {
            if (ARMED.compareAndSet(true, false)) {
                CUT_NEXT_COMMIT.set(true);
            }
        }
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new java.util.HashMap<>(super.start());
        String url = config.get("quarkus.datasource.jdbc.url");
        java.net.URI target = java.net.URI.create(url.substring("jdbc:".length()));
        try {
            proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread.ofPlatform().daemon().name("commit-answer-lost").start(() -> acceptUntilClosed(target.getHost(), target.getPort()));
        // No TLS or GSS negotiation: every byte from the server is a framed protocol message.
        config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + proxy.getLocalPort() + target.getPath()
                + "?sslmode=disable&gssEncMode=disable");
        return config;
    }

    @Override
    public void stop() {
        try {
            proxy.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private void acceptUntilClosed(String host, int port) {
        while (!proxy.isClosed()) {
            try {
                Socket client = proxy.accept();
                Socket server = new Socket(host, port);
                Thread.ofPlatform().daemon().start(() -> pump(client, server));
                Thread.ofPlatform().daemon().start(() -> serverToClient(server, client));
            } catch (IOException e) {
                // the proxy closed, or PostgreSQL is away: the client's connection fails as it would
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the other side closed
        } finally {
            closeQuietly(from, to);
        }
    }

    /** Passes the server's messages on one by one; an armed cut drops the COMMIT's CommandComplete and the connection. */
    private static void serverToClient(Socket server, Socket client) {
        try (DataInputStream in = new DataInputStream(server.getInputStream()); OutputStream out = client.getOutputStream()) {
            while (true) {
                int type = in.read();
                if (type < 0) {
                    return;
                }
                int length = in.readInt();
                byte[] payload = in.readNBytes(length - 4);
                if (payload.length != length - 4) {
                    throw new EOFException();
                }
                if (type == 'C' && new String(payload, StandardCharsets.US_ASCII).startsWith("COMMIT")
                        && CUT_NEXT_COMMIT.compareAndSet(true, false)) {
                    cut = true;
                    closeQuietly(server, client); // committed; the answer never arrives
                    return;
                }
                out.write(type);
                out.write(new byte[] { (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length });
                out.write(payload);
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (IOException ignored) {
            // the other side closed
        } finally {
            closeQuietly(server, client);
        }
    }

    private static void closeQuietly(Socket... sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
