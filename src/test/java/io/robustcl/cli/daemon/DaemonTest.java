package io.robustcl.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.cli.Invocation;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool daemon in-process on a temporary socket, against the CLI in a JVM of its own started in
 * the request's directory: the daemon's {@code user.dir} (the project) is never the request's.
 */
class DaemonTest {

  static final String PIPELINE = """
      stages:
        seed: {type: write-params, params: {n: 0, value: seed}}
        mid:
          type: write-params
          matrix: {a: [0, 1, 2]}
          inputs: {after: [seed]}
          params: {n: "${item.a}", value: "mid ${item.a}"}
        join: {type: write-params, inputs: {after: [mid]}, params: {value: join}}
      targets:
        all: [join]
      """;

  @TempDir Path tmp;
  final List<DaemonServer> daemons = new ArrayList<>();
  final ByteArrayOutputStream log = new ByteArrayOutputStream();

  /** A command's exit code and output; run times ("done in 0.1s") are blanked, they differ run to run. */
  record Result(int code, String out, String err) {
    Result {
      out = out.replaceAll(" in \\d+(\\.\\d+)?s\\b", " in #s");
    }
  }

  @AfterEach
  void stopDaemons() {
    daemons.forEach(DaemonServer::close);
  }

  Path socket() {
    return tmp.resolve("sockets/test.sock");
  }

  DaemonServer daemon(Duration idle, ClassPathStamp stamp, DaemonServer.CommandRunner runner) throws IOException {
    DaemonServer d = new DaemonServer(socket(), "id-1", idle, stamp, System.getenv(),
        new PrintStream(log, true, StandardCharsets.UTF_8), runner);
    daemons.add(d);
    d.start();
    return d;
  }

  DaemonServer daemon() throws IOException {
    return daemon(Duration.ofHours(1), stamp(), DaemonServer::execute);
  }

  ClassPathStamp stamp() throws IOException {
    Path jar = tmp.resolve("fake.jar");
    if (!Files.exists(jar)) {
      Files.writeString(jar, "jar");
    }
    return ClassPathStamp.of(jar.toString(), Path.of(System.getProperty("java.home"), "bin", "java"));
  }

  Path project() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("project"));
    Files.writeString(dir.resolve("pipeline.yaml"), PIPELINE);
    Files.writeString(dir.resolve("bad.yaml"), "stages:\n  a: {type: write-params, params: {nope: 1}}\n");
    return dir;
  }

  Result viaDaemon(Path workDir, int probe, String... args) {
    return viaDaemon(workDir, probe, "id-1", System.getenv(), args);
  }

  Result viaDaemon(Path workDir, int probe, String id, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = DaemonClient.exchange(socket(), new DaemonRequest(DaemonRequest.COMMAND, id, workDir.toString(), false,
        probe, List.of(args), env), new PrintStream(out, true), new PrintStream(err, true));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The CLI in a JVM of its own, started in {@code workDir}, as the launcher starts it. */
  Result direct(Path workDir, int probe, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
    if (probe >= 0) {
      command.add("-Drobustcl.exitIfComputing=" + probe);
    }
    command.add("io.robustcl.cli.Main");
    command.addAll(List.of(args));
    Path out = tmp.resolve("direct.out");
    Path err = tmp.resolve("direct.err");
    Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void servesCommandsFromAnotherDirectoryWithTheOutputAndExitCodeOfAJvmStartedThere() throws Exception {
    Path project = project();
    assertNotEquals(project, Path.of("").toAbsolutePath(), "the daemon's user.dir is not the request's");
    daemon();
    String[][] commands = {
        {"plan", "pipeline.yaml", "--target", "all"},
        {"plan", "bad.yaml", "--target", "a"},
        {"dag", "pipeline.yaml", "--target", "all"},
        {"plan", "missing.yaml", "--target", "all"},
        {"plan", "pipeline.yaml", "--target", "nope"},
        {"plan", "pipeline.yaml", "--bogus-option"},
    };
    for (String[] args : commands) {
      assertEquals(direct(project, -1, args), viaDaemon(project, -1, args), String.join(" ", args) + "; " + log);
    }
    Result bad = viaDaemon(project, -1, "plan", "bad.yaml", "--target", "a");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("bad.yaml:2:"), bad.err());
    assertFalse(bad.err().contains("Exception"), bad.err());

    // the probe of a run that must compute: exit 75 before anything ran, nothing in the cache
    String[] run = {"run", "pipeline.yaml", "--target", "all", "--results", "out"};
    Result probe = viaDaemon(project, 75, run);
    assertEquals(direct(project, 75, run), probe);
    assertEquals(75, probe.code());
    assertFalse(Files.exists(project.resolve("cache/artifacts")) && Files.list(project.resolve("cache/artifacts"))
        .findAny().isPresent());

    // built by a JVM of its own; then the fully cached run is served, relative cache and results included
    assertEquals(0, direct(project, -1, run).code());
    Result cached = viaDaemon(project, 75, run);
    assertEquals(0, cached.code(), cached.err());
    assertTrue(cached.out().contains("5 stages: 5 cached, 0 done"), cached.out());
    assertEquals(direct(project, 75, run), cached);
    assertEquals(0, viaDaemon(project, -1, "run", "pipeline.yaml", "--target", "all", "--dry-run").code());
    assertFalse(Files.exists(Path.of("out")) || Files.exists(Path.of("cache", "verified-manifests")),
        "nothing written relative to the daemon's own directory");
  }

  @Test
  void aStageThatMustComputeAfterTheProbeFailsInsteadOfComputingInTheDaemon() throws Exception {
    Path project = project();
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    // as if the cache had lost an artifact between the probe's plan and the run
    int code = DaemonServer.execute(new io.robustcl.pipeline.WorkingDirectory(project),
        Invocation.of(System.getenv(), false, null, new io.robustcl.pipeline.exec.CancelSignal()),
        new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "run", "pipeline.yaml", "--target", "all");
    assertEquals(1, code, out.toString());
    assertTrue(err.toString().contains("stage seed failed: ") && err.toString().contains("the tool daemon never does"),
        err.toString());
    assertFalse(out.toString().contains("done     seed"), out.toString());
  }

  @Test
  void refusesWhatItDoesNotServeAndTheClientFallsBack() throws Exception {
    Path project = project();
    daemon();
    int fallback = DaemonProtocol.FALLBACK;
    assertEquals(fallback, viaDaemon(project, -1, "run", "pipeline.yaml", "--target", "all").code(), "a run to compute");
    assertEquals(fallback, viaDaemon(project, 75, "run", "pipeline.yaml", "--target", "all", "--verify-inputs").code());
    assertEquals(fallback, viaDaemon(project, 75, "run", "pipeline.yaml", "--target", "all", "--cudnn-benchmark").code());
    assertEquals(fallback, viaDaemon(project, -1, "export", "x").code());
    assertEquals(fallback, viaDaemon(project, -1, "--help").code());
    Map<String, String> gpus = new HashMap<>(System.getenv());
    gpus.put("CUDA_VISIBLE_DEVICES", "7");
    assertEquals(fallback, viaDaemon(project, -1, "id-1", gpus, "plan", "pipeline.yaml", "--target", "all").code());
    assertEquals(0, viaDaemon(project, -1, "plan", "pipeline.yaml", "--target", "all").code(), "still serving");
    Path missing = tmp.resolve("not-there");
    assertEquals(fallback, viaDaemon(missing, -1, "plan", "pipeline.yaml", "--target", "all").code());
  }

  @Test
  void aStaleDaemonRefusesAndStops() throws Exception {
    Path project = project();
    DaemonServer d = daemon();
    assertEquals(DaemonProtocol.FALLBACK, viaDaemon(project, -1, "other-build", System.getenv(), "stages").code());
    assertClosed(d);
    assertFalse(Files.exists(socket()), "the socket is removed");
    assertEquals(DaemonProtocol.FALLBACK, viaDaemon(project, -1, "stages").code(), "nothing listening");

    // the jar rebuilt under a running daemon: the next request is refused, the daemon stops
    DaemonServer rebuilt = daemon();
    Files.setLastModifiedTime(tmp.resolve("fake.jar"), FileTime.fromMillis(System.currentTimeMillis() + 5000));
    assertEquals(DaemonProtocol.FALLBACK, viaDaemon(project, -1, "stages").code());
    assertClosed(rebuilt);
  }

  @Test
  void stopsAfterTheIdleTimeout() throws Exception {
    DaemonServer d = daemon(Duration.ofMillis(300), stamp(), DaemonServer::execute);
    assertClosed(d);
    assertFalse(Files.exists(socket()));
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("idle for"), log.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aClientThatGoesAwayCancelsItsCommand() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    AtomicReference<String> reason = new AtomicReference<>();
    CountDownLatch cancelled = new CountDownLatch(1);
    daemon(Duration.ofHours(1), stamp(), (workDir, invocation, out, err, args) -> {
      out.println("working");
      started.countDown();
      for (int i = 0; i < 500 && !invocation.cancel().isCancelled(); i++) {
        sleep(10);
      }
      reason.set(invocation.cancel().reason());
      cancelled.countDown();
      return 0;
    });
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket()));
      new DaemonRequest(DaemonRequest.COMMAND, "id-1", tmp.toString(), false, -1, List.of("stages"), System.getenv())
          .write(DaemonProtocol.out(channel));
      assertTrue(started.await(10, TimeUnit.SECONDS));
    } // Ctrl-C: the client's JVM exits and its socket closes
    assertTrue(cancelled.await(10, TimeUnit.SECONDS));
    assertEquals("interrupted (the client went away)", reason.get());
  }

  @Test
  void aMalformedRequestGetsOneLineAndTheDaemonServesOn() throws Exception {
    Path project = project();
    daemon();
    for (byte[] garbage : List.of("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
        ByteBuffer.allocate(13).putInt(DaemonProtocol.MAGIC).putInt(DaemonProtocol.VERSION).put((byte) 'C')
            .putInt(Integer.MAX_VALUE).array(),
        ByteBuffer.allocate(8).putInt(DaemonProtocol.MAGIC).putInt(99).array())) {
      try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        channel.connect(UnixDomainSocketAddress.of(socket()));
        DaemonProtocol.out(channel).write(garbage);
        DataInputStream in = new DataInputStream(DaemonProtocol.in(channel));
        assertEquals(DaemonProtocol.REFUSED, in.readByte());
        String reason = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
        assertTrue(reason.startsWith("bad request: ") && !reason.contains("\n") && !reason.contains("Exception"), reason);
      }
    }
    // a request cut off in the middle
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket()));
      DaemonProtocol.out(channel).write(ByteBuffer.allocate(6).putInt(DaemonProtocol.MAGIC).putShort((short) 0).array());
    }
    assertEquals(0, viaDaemon(project, -1, "plan", "pipeline.yaml", "--target", "all").code(), log.toString());
    assertFalse(log.toString(StandardCharsets.UTF_8).contains("\tat "), "no stack trace in the log");
  }

  @Test
  void statusAndStopAndASocketDirectoryOnlyItsOwnerCanEnter() throws Exception {
    DaemonServer d = daemon();
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket().getParent())));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, DaemonClient.run(new String[] {"--status", socket().toString(), "id-1"}, new PrintStream(out),
        System.err));
    assertTrue(out.toString().startsWith("daemon: running, pid " + ProcessHandle.current().pid()), out.toString());
    assertEquals(0, DaemonClient.run(new String[] {"--stop", socket().toString(), "id-1"}, new PrintStream(out),
        System.err));
    assertClosed(d);
    assertEquals(DaemonProtocol.FALLBACK, DaemonClient.run(new String[] {"--status", socket().toString(), "id-1"},
        new PrintStream(out), System.err));
  }

  @Test
  void aSecondDaemonOnTheSameSocketDoesNotStart() throws Exception {
    daemon();
    DaemonServer second = new DaemonServer(socket(), "id-1", Duration.ofHours(1), stamp(), System.getenv(),
        new PrintStream(log, true, StandardCharsets.UTF_8));
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, second::start);
    assertTrue(e.getMessage().contains("already running"), e.getMessage());
  }

  @Test
  void parsesIdleDurations() {
    assertEquals(Duration.ofHours(3), DaemonServer.duration("3h"));
    assertEquals(Duration.ofMinutes(30), DaemonServer.duration("30m"));
    assertEquals(Duration.ofSeconds(90), DaemonServer.duration("90"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> DaemonServer.duration("soon"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> DaemonServer.duration("0s"));
  }

  @Test
  void picocliColoursAreDecidedAsPicocliDecidesThem() {
    Map<String, String> env = System.getenv();
    assertEquals(picocli.CommandLine.Help.Ansi.AUTO.enabled(), Invocation.of(env, System.console() != null, null,
        new io.robustcl.pipeline.exec.CancelSignal()).ansi());
    Map<String, String> forced = new HashMap<>(env);
    forced.put("CLICOLOR_FORCE", "1");
    forced.remove("NO_COLOR");
    assertTrue(Invocation.of(forced, false, null, new io.robustcl.pipeline.exec.CancelSignal()).ansi());
    forced.put("NO_COLOR", "");
    assertFalse(Invocation.of(forced, true, null, new io.robustcl.pipeline.exec.CancelSignal()).ansi());
  }

  private static void assertClosed(DaemonServer d) throws InterruptedException {
    for (int i = 0; i < 500 && !d.isClosed(); i++) {
      Thread.sleep(10);
    }
    assertTrue(d.isClosed(), "the daemon stopped");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
