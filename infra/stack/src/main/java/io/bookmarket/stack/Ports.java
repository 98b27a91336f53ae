package io.bookmarket.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;

/** Loopback port helpers: every component of the stack listens on 127.0.0.1 only. */
final class Ports {

    static final String HOST = "127.0.0.1";

    private Ports() {
    }

    /** A port nobody listens on now (0 = pick one), or a clear error when the wanted one is taken. */
    static int claim(int wanted, String component, Path logFile) {
        if (wanted == 0) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new StackStartException(component, "found no free port on " + HOST, logFile, e);
            }
        }
        if (isOpen(wanted)) {
            throw new StackStartException(component, "cannot start: port " + wanted + " on " + HOST
                    + " is already in use (stop whatever listens there, or choose another port)", logFile);
        }
        return wanted;
    }

    static boolean isOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
