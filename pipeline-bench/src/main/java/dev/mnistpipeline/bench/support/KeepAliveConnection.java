package dev.mnistpipeline.bench.support;

import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One blocking HTTP/1.1 keep-alive connection, for load generators that share the machine with the server they
 * measure. The JDK's {@code HttpClient} hands every exchange between the caller, its selector thread and an
 * executor: with 16 clients on 2 cores it took ~60 % of a core that the server then did not have. Here a request is
 * one write and its answer one read, on the caller's thread. It speaks only what the services answer: a status line,
 * headers, and a body with {@code Content-Length} or chunked; a connection the server closed is opened again.
 */
public final class KeepAliveConnection implements AutoCloseable {
    /** Status and body of one answer. */
    public record Answer(int status, String body) {
    }

    private final boolean tls;
    private final String host;
    private final int port;
    private final byte[] headHost;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public KeepAliveConnection(URI base) {
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
            throw new IllegalArgumentException("http or https only, got " + base);
        }
        this.tls = "https".equals(base.getScheme());
        this.host = base.getHost();
        this.port = base.getPort() >= 0 ? base.getPort() : tls ? 443 : 80;
        this.headHost = ("Host: " + host + ":" + port + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code POST path} with {@code body}; {@code authorization} may be null. */
    public Answer post(String path, String contentType, String authorization, byte[] body) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        head.writeBytes(("POST " + path + " HTTP/1.1\r\n").getBytes(StandardCharsets.US_ASCII));
        head.writeBytes(headHost);
        head.writeBytes(("Content-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        if (authorization != null) {
            head.writeBytes(("Authorization: " + authorization + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        head.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        try {
            return exchange(head.toByteArray(), body);
        } catch (EOFException | java.net.SocketException stale) {
            // The server closed a kept-alive connection between two requests: once more on a new one.
            close();
            return exchange(head.toByteArray(), body);
        }
    }

    private Answer exchange(byte[] head, byte[] body) throws IOException {
        if (socket == null) {
            socket = tls ? SSLSocketFactory.getDefault().createSocket() : new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        }
        out.write(head);
        out.write(body);
        out.flush();
        return read();
    }

    private Answer read() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x answer: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        int length = -1;
        boolean chunked = false, closing = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                closing = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(Math.max(length, 256));
        if (chunked) {
            for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0; size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
        } else if (length >= 0) {
            byte[] bytes = in.readNBytes(length);
            if (bytes.length < length) {
                throw new EOFException("answer ended after " + bytes.length + " of " + length + " bytes");
            }
            body.write(bytes);
        } else {
            body.write(in.readAllBytes());
            closing = true;
        }
        if (closing) {
            close();
        }
        return new Answer(code, body.toString(StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
