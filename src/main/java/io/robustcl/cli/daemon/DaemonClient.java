package io.robustcl.cli.daemon;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The launcher's client of the tool daemon: sends the command line, working directory,
 * environment and terminal flag, copies the daemon's stdout and stderr bytes to its own, and exits
 * with the command's exit code. JDK classes only, so that it starts in a few tens of milliseconds.
 *
 * <p>{@code DaemonClient SOCKET ID PROBE ARGS...} runs a command ({@code PROBE}: the launcher's
 * probe exit code for {@code run}, or {@code -}); {@code DaemonClient --status|--stop SOCKET ID}
 * asks the daemon for its state or to stop. Exits {@value DaemonProtocol#FALLBACK} without a word
 * when the daemon did not run the command (nothing listening, stale build, refused, gone before any
 * output): the launcher then runs the command in a JVM of its own, with the same output.
 */
public final class DaemonClient {

  private DaemonClient() {}

  public static void main(String[] argv) {
    System.exit(run(argv, System.out, System.err));
  }

  static int run(String[] argv, PrintStream stdout, PrintStream stderr) {
    byte kind = DaemonRequest.COMMAND;
    int first = 0;
    if (argv.length > 0 && (argv[0].equals("--status") || argv[0].equals("--stop"))) {
      kind = argv[0].equals("--status") ? DaemonRequest.STATUS : DaemonRequest.STOP;
      first = 1;
    }
    int fixed = kind == DaemonRequest.COMMAND ? 3 : 2;
    if (argv.length < first + fixed) {
      stderr.println("usage: DaemonClient SOCKET ID PROBE ARGS... | --status SOCKET ID | --stop SOCKET ID");
      return 2;
    }
    Path socket = Path.of(argv[first]);
    String id = argv[first + 1];
    int probe = -1;
    if (kind == DaemonRequest.COMMAND && !argv[first + 2].equals("-")) {
      try {
        probe = Integer.parseInt(argv[first + 2]);
      } catch (NumberFormatException e) {
        stderr.println("DaemonClient: PROBE must be an exit code or '-', not '" + argv[first + 2] + "'");
        return 2;
      }
    }
    List<String> args = Arrays.asList(argv).subList(first + fixed, argv.length);
    DaemonRequest request = new DaemonRequest(kind, id, Path.of("").toAbsolutePath().toString(),
        System.console() != null, probe, args, System.getenv());
    return exchange(socket, request, stdout, stderr);
  }

  /** Sends {@code request} and copies the answer; the exit code, or {@link DaemonProtocol#FALLBACK}. */
  static int exchange(Path socket, DaemonRequest request, PrintStream stdout, PrintStream stderr) {
    boolean output = false;
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      request.write(DaemonProtocol.out(channel));
      DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(DaemonProtocol.in(channel), 1 << 16));
      while (true) {
        byte type = in.readByte();
        int length = in.readInt();
        if (length < 0 || length > DaemonProtocol.MAX_BYTES) {
          throw new IOException("bad frame length " + length);
        }
        byte[] bytes = DaemonProtocol.readFully(in, length);
        switch (type) {
          case DaemonProtocol.STDOUT -> {
            output = true;
            stdout.write(bytes, 0, bytes.length);
            stdout.flush();
          }
          case DaemonProtocol.STDERR -> {
            output = true;
            stdout.flush();
            stderr.write(bytes, 0, bytes.length);
            stderr.flush();
          }
          case DaemonProtocol.EXIT -> {
            stdout.flush();
            stderr.flush();
            return length == 4 ? ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8)
                | (bytes[3] & 0xff) : 1;
          }
          case DaemonProtocol.REFUSED -> {
            return DaemonProtocol.FALLBACK;
          }
          default -> throw new IOException("unknown frame type " + (type & 0xff));
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!output) {
        return DaemonProtocol.FALLBACK; // nothing shown yet: the launcher runs the command itself
      }
      stdout.flush();
      stderr.println("pipeline: lost the tool daemon in the middle of the command (" + e.getMessage()
          + "); run it again, with --no-daemon if this repeats");
      stderr.flush();
      return 1;
    }
  }
}
