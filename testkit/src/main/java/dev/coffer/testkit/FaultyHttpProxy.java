package dev.coffer.testkit;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault-injecting HTTP/1.1 front on loopback, for testing clients of HTTP object stores: it sits
 * between the client and a real server and, at the requests you choose, drops the connection,
 * answers 500 or 503 itself, cuts the response short, or waits before forwarding. Every other
 * request is forwarded unchanged (signatures stay valid: the Host header is passed as the client
 * sent it).
 *
 * <p>Requests are numbered from 1 in the order their bodies arrive; {@link #requests()} says how
 * many were seen, so a test can aim at "the next GET" with {@code inject(proxy.requests() + 1,
 * Fault.TRUNCATE)}. Each connection carries one request ({@code Connection: close}), so numbering
 * never depends on the client's connection reuse. Bodies are held in memory: this is a test tool
 * for objects of megabytes.
 *
 * <pre>{@code
 * try (FaultyHttpProxy proxy = FaultyHttpProxy.start(serverPort)) {
 *   proxy.inject(3, FaultyHttpProxy.Fault.ERROR_503);
 *   // point the client at proxy.endpoint()
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class FaultyHttpProxy implements Closeable {

  /** What happens to a chosen request. */
  public enum Fault {
    /** Close the connection (with a reset) without answering, after reading the request. */
    DROP,
    /** Answer {@code 500 InternalError} without forwarding. */
    ERROR_500,
    /** Answer {@code 503 SlowDown} without forwarding. */
    ERROR_503,
    /**
     * Forward, then send the response's head and only half its body before closing (half the head
     * when there is no body: the request took effect, its answer is lost).
     */
    TRUNCATE,
    /** Wait {@link #delay(Duration)} before forwarding (to make the client time out). */
    DELAY
  }

  private static final int MAX_HEAD_BYTES = 64 * 1024;

  private final ServerSocket server;
  private final int upstreamPort;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "faulty-http-proxy");
            t.setDaemon(true);
            return t;
          });
  private final AtomicInteger count = new AtomicInteger();
  private final Map<Integer, Fault> planned = new ConcurrentHashMap<>();
  private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
  private volatile Fault always;
  private volatile Duration delay = Duration.ofSeconds(5);

  private FaultyHttpProxy(ServerSocket server, int upstreamPort) {
    this.server = server;
    this.upstreamPort = upstreamPort;
  }

  /**
   * Starts a proxy on 127.0.0.1 and a free port in front of {@code 127.0.0.1:upstreamPort}.
   *
   * @param upstreamPort the real server's port on loopback
   * @return the running proxy
   * @throws IOException if no port can be bound
   */
  public static FaultyHttpProxy start(int upstreamPort) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    FaultyHttpProxy proxy = new FaultyHttpProxy(server, upstreamPort);
    proxy.threads.execute(proxy::acceptLoop);
    return proxy;
  }

  /**
   * The URL clients use instead of the server's.
   *
   * @return {@code http://127.0.0.1:<port>}
   */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /**
   * Plans a fault for the request with this number.
   *
   * @param requestNumber the request's number, counted from 1 since the proxy started
   * @param fault what to do to it
   */
  public void inject(int requestNumber, Fault fault) {
    planned.put(requestNumber, requireNonNull(fault, "fault"));
  }

  /**
   * Applies a fault to every request from now on, or none with {@code null}.
   *
   * @param fault the fault, or null to forward everything again
   */
  public void always(Fault fault) {
    always = fault;
  }

  /**
   * Sets how long {@link Fault#DELAY} waits.
   *
   * @param wait the wait
   */
  public void delay(Duration wait) {
    delay = requireNonNull(wait, "wait");
  }

  /**
   * How many requests arrived so far.
   *
   * @return the count
   */
  public int requests() {
    return count.get();
  }

  /**
   * The request lines seen so far ({@code "PUT /bucket/key?partNumber=1..."}), in order, with the
   * fault applied if any ({@code "GET /b/k -> TRUNCATE"}).
   *
   * @return a copy of the log
   */
  public List<String> log() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** Stops accepting and drops open connections. */
  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      String head = readHead(in);
      if (head == null) {
        return;
      }
      List<String> lines = new ArrayList<>(List.of(head.split("\r\n")));
      String requestLine = lines.get(0);
      long contentLength = 0;
      boolean expectContinue = false;
      List<String> forwarded = new ArrayList<>();
      forwarded.add(requestLine);
      for (String line : lines.subList(1, lines.size())) {
        int colon = line.indexOf(':');
        String name = colon < 0 ? line : line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = colon < 0 ? "" : line.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> contentLength = Long.parseLong(value);
          case "expect" -> expectContinue = value.equalsIgnoreCase("100-continue");
          case "transfer-encoding" ->
              throw new IOException("chunked request bodies are not supported");
          default -> {}
        }
        if (!name.equals("expect") && !name.equals("connection")) {
          forwarded.add(line);
        }
      }
      forwarded.add("Connection: close");
      if (expectContinue) {
        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      byte[] body = in.readNBytes((int) contentLength);
      int number = count.incrementAndGet();
      Fault fault = planned.remove(number);
      if (fault == null) {
        fault = always;
      }
      String shortLine = requestLine.replaceFirst(" HTTP/1\\.1$", "");
      seen.add(fault == null ? shortLine : shortLine + " -> " + fault);
      if (fault == Fault.DROP) {
        client.setSoLinger(true, 0);
        return;
      }
      if (fault == Fault.ERROR_500 || fault == Fault.ERROR_503) {
        boolean five = fault == Fault.ERROR_500;
        respondError(
            out,
            five ? 500 : 503,
            five ? "Internal Server Error" : "Service Unavailable",
            five ? "InternalError" : "SlowDown",
            requestLine.startsWith("HEAD "));
        return;
      }
      if (fault == Fault.DELAY) {
        Thread.sleep(delay.toMillis());
      }
      byte[] response = forward(String.join("\r\n", forwarded) + "\r\n\r\n", body);
      if (fault == Fault.TRUNCATE) {
        int bodyStart = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) + 4;
        // Half the body; a response without one loses half its head, so the client never sees the
        // answer.
        int keep =
            response.length > bodyStart
                ? bodyStart + (response.length - bodyStart) / 2
                : bodyStart / 2;
        out.write(response, 0, keep);
        out.flush();
        client.setSoLinger(true, 0);
        return;
      }
      out.write(response);
      out.flush();
    } catch (IOException e) {
      // the client went away, or the upstream did: the client sees a closed connection
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private byte[] forward(String head, byte[] body) throws IOException {
    try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      OutputStream up = upstream.getOutputStream();
      up.write(head.getBytes(StandardCharsets.ISO_8859_1));
      up.write(body);
      up.flush();
      return upstream.getInputStream().readAllBytes();
    }
  }

  private static void respondError(
      OutputStream out, int status, String reason, String code, boolean head) throws IOException {
    byte[] xml =
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                + code
                + "</Code><Message>injected "
                + status
                + "</Message></Error>")
            .getBytes(StandardCharsets.UTF_8);
    String response =
        "HTTP/1.1 "
            + status
            + " "
            + reason
            + "\r\nContent-Type: application/xml\r\nContent-Length: "
            + (head ? 0 : xml.length)
            + "\r\nConnection: close\r\n\r\n";
    out.write(response.getBytes(StandardCharsets.US_ASCII));
    if (!head) {
      out.write(xml);
    }
    out.flush();
  }

  /** The request head up to the blank line, or null if the client closed before sending one. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > MAX_HEAD_BYTES) {
        throw new IOException("request head longer than " + MAX_HEAD_BYTES + " bytes");
      }
    }
    String s = head.toString(StandardCharsets.ISO_8859_1);
    return s.substring(0, s.length() - 4);
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return data.length - 4;
  }
}
