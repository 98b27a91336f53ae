package io.bookmarket.publisherview;

import com.sun.net.httpserver.HttpServer;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The OpenID provider as the launcher's Keycloak is at first: not there yet. The service is given a URL where nothing
 * listens; {@link #comeUp()} then starts answering there (forwarding to the WireMock provider), as Keycloak does
 * once it has started. The ports travel in system properties: the test may see this class through another class
 * loader than the one that ran {@link #start()}.
 */
public class ProviderLater implements QuarkusTestResourceLifecycleManager {

    private static final String PORT = "bookmarket.test.provider-later.port";
    private static final String UPSTREAM = "bookmarket.test.provider-later.upstream";
    private static HttpServer front;
    private final OidcServer provider = new OidcServer();

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(provider.start());
        URI real = URI.create(config.get("quarkus.oidc.auth-server-url"));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty(PORT, Integer.toString(port));
        // As the provider writes its own URLs (WireMock: http://localhost:<port>).
        System.setProperty(UPSTREAM, real.getScheme() + "://" + real.getAuthority());
        config.put("quarkus.oidc.auth-server-url", "http://127.0.0.1:" + port + real.getPath());
        return config;
    }

    @Override
    public void stop() {
        provider.stop();
    }

    /**
     * The provider answers from now on: its discovery document and keys, with the URLs in the document pointing
     * here too, so that {@link #goAway()} leaves the service with nothing to ask.
     */
    static synchronized void comeUp() throws IOException {
        if (front != null) {
            return;
        }
        String upstream = System.getProperty(UPSTREAM);
        HttpClient http = HttpClient.newHttpClient();
        front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.getInteger(PORT)), 10);
        front.createContext("/", exchange -> {
            try (exchange) {
                HttpResponse<InputStream> answer = http.send(
                        HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI())).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                byte[] body = new String(answer.body().readAllBytes(), StandardCharsets.UTF_8)
                        .replace(upstream, "http://127.0.0.1:" + front.getAddress().getPort()).getBytes(StandardCharsets.UTF_8);
                answer.headers().firstValue("Content-Type").ifPresent(type -> exchange.getResponseHeaders().add("Content-Type", type));
                exchange.sendResponseHeaders(answer.statusCode(), body.length == 0 ? -1 : body.length);
                exchange.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        front.start();
    }

    static synchronized void goAway() {
        if (front != null) {
            front.stop(0);
            front = null;
        }
    }
}
